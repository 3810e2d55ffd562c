package io.vplane.engine.management;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementExtensionTest
{
    private final ManagementExtension echo = new ManagementExtension()
    {
        @Override
        public String prefix()
        {
            return "/echo";
        }

        @Override
        public Object handle(final ManagementRequest request)
        {
            final String path = request.path();
            final Map<String, Object> body = request.body();
            if (path.endsWith("/missing"))
            {
                throw new NoSuchElementException("no such thing");
            }
            if (body.containsKey("bad"))
            {
                throw new IllegalArgumentException("bad request");
            }
            return Map.of("method", request.method(), "path", path, "x", body.getOrDefault("x", "none"),
                "y", String.valueOf(request.parameter("y")));
        }
    };
    private final ManagementRoutes routes =
        new ManagementRoutes(new FakeManagementApi(), Counters.inMemory(16).reader(), List.of(echo));

    @Test
    void shouldHandPathsUnderItsPrefixToAnExtension()
    {
        final HttpReply reply = routes.handle("POST", "/echo/add?y=1", "{\"x\":\"10.0.0.2\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.bodyText().replaceAll("\\s", ""))
            .contains("\"path\":\"/echo/add\"", "\"x\":\"10.0.0.2\"", "\"method\":\"POST\"", "\"y\":\"1\"");
    }

    @Test
    void shouldMapExtensionErrorsToStatusCodes()
    {
        assertThat(routes.handle("GET", "/echo/missing", "").status()).isEqualTo(404);
        assertThat(routes.handle("POST", "/echo", "{\"bad\":1}").status()).isEqualTo(400);
        assertThat(routes.handle("POST", "/echo", "[1]").status()).isEqualTo(400);
        assertThat(routes.handle("GET", "/echoes", "").status()).isEqualTo(404);
    }

    @Test
    void shouldGiveTheRunningDaemonToExtensionsThatAskForIt()
    {
        final FakeManagementApi api = new FakeManagementApi();
        final ManagementExtension adder = new ManagementExtension()
        {
            @Override
            public String prefix()
            {
                return "/adder";
            }

            @Override
            public Object handle(final ManagementRequest request)
            {
                request.requirePost();
                return request.api().addDevice(new DeviceSpec("thing", String.valueOf(request.body().get("name")), "blk", null));
            }
        };
        final ManagementRoutes withAdder = new ManagementRoutes(api, Counters.inMemory(16).reader(), List.of(adder));

        final HttpReply reply = withAdder.handle("POST", "/adder", "{\"name\":\"t1\"}");

        assertThat(reply.status()).as(reply.bodyText()).isEqualTo(200);
        assertThat(reply.bodyText().replaceAll("\\s", "")).contains("\"name\":\"t1\"", "\"kind\":\"thing\"");
        assertThat(api.addedDevice).isEqualTo("t1");
        assertThat(withAdder.handle("GET", "/adder", "").status()).isEqualTo(400);
    }
}
