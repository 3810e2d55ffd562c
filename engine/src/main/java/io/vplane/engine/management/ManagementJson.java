package io.vplane.engine.management;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapping that server and client share: pretty-printed, enums as names, records as objects. */
public final class ManagementJson
{
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        // A newer daemon may add fields; an older ctl should still read what it knows.
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();

    private ManagementJson()
    {
    }

    public static ObjectMapper mapper()
    {
        return MAPPER;
    }
}
