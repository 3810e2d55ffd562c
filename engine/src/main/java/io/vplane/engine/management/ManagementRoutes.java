package io.vplane.engine.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.counters.MetricsScrape;
import io.vplane.engine.counters.PrometheusExposition;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Maps a request to the {@link ManagementApi} and its answer to JSON. Knows nothing of Netty, so the
 * routes can be tested without a socket.
 */
public final class ManagementRoutes
{
    private static final Logger LOG = LoggerFactory.getLogger(ManagementRoutes.class);

    private static final String GET = "GET";
    private static final String POST = "POST";
    private static final String DELETE = "DELETE";
    private static final String DEVICES = "/devices";
    private static final double DEFAULT_GROUP_THRESHOLD_PERCENT = 25;
    private static final String ROUTES =
        "GET /status, GET /config, POST /reload, GET|POST /placement, POST /placement/autotune, POST /placement/group, " +
        "GET|POST /tune, GET|POST /devices, DELETE /devices/NAME, GET /metrics";

    private final ManagementApi api;
    private final MetricsScrape metrics;
    private final ObjectMapper mapper = ManagementJson.mapper();
    private final List<ManagementExtension> extensions;

    /**
     * @param extensions the routes of the daemon's device kinds
     */
    public ManagementRoutes(final ManagementApi api, final CountersReader reader, final List<ManagementExtension> extensions)
    {
        this.api = api;
        this.metrics = new MetricsScrape(reader);
        this.extensions = List.copyOf(extensions);
    }

    /**
     * @param method HTTP method
     * @param uri    path with optional query string
     * @param body   request body, empty when there is none
     */
    public HttpReply handle(final String method, final String uri, final String body)
    {
        final QueryStringDecoder query = new QueryStringDecoder(uri);
        final String path = query.path().length() > 1 && query.path().endsWith("/") ?
            query.path().substring(0, query.path().length() - 1) : query.path();
        try
        {
            return switch (path)
            {
                case "/metrics" -> GET.equals(method) ? metrics() : notAllowed(method, path, GET);
                case "/status" -> GET.equals(method) ? json(api.status()) : notAllowed(method, path, GET);
                case "/config" -> GET.equals(method) ? json(api.config()) : notAllowed(method, path, GET);
                case "/reload" -> POST.equals(method) ? json(api.reload()) : notAllowed(method, path, POST);
                case "/placement" -> switch (method)
                {
                    case GET -> getPlacement(query.parameters());
                    case POST -> postPlacement(query.parameters(), body);
                    default -> notAllowed(method, path, GET + ", " + POST);
                };
                case "/placement/autotune" -> POST.equals(method) ? postAutotune(body) : notAllowed(method, path, POST);
                case "/placement/group" -> POST.equals(method) ? postGroup(body) : notAllowed(method, path, POST);
                case "/tune" -> switch (method)
                {
                    case GET -> json(api.tune());
                    case POST -> postTune(body);
                    default -> notAllowed(method, path, GET + ", " + POST);
                };
                case DEVICES -> switch (method)
                {
                    case GET -> json(api.devices());
                    case POST -> postDevice(body);
                    default -> notAllowed(method, path, GET + ", " + POST);
                };
                default -> path.startsWith(DEVICES + "/") ? deviceByName(method, path.substring(DEVICES.length() + 1)) :
                    extension(method, path, query.parameters(), body);
            };
        }
        catch (final IllegalArgumentException ex)
        {
            return error(400, messageOf(ex));
        }
        catch (final NoSuchElementException ex)
        {
            return error(404, messageOf(ex));
        }
        catch (final Exception ex)
        {
            LOG.warn("management API {} {} failed: {}", method, path, ex.toString());
            return error(500, messageOf(ex));
        }
    }

    @SuppressWarnings("unchecked")
    private HttpReply extension(
        final String method, final String path, final Map<String, List<String>> parameters, final String body)
        throws JacksonException
    {
        for (final ManagementExtension extension : extensions)
        {
            if (path.equals(extension.prefix()) || path.startsWith(extension.prefix() + "/"))
            {
                final JsonNode request = parse(body);
                if (!request.isObject())
                {
                    throw new IllegalArgumentException("expected a JSON object");
                }
                return json(extension.handle(
                    new ManagementRequest(api, method, path, parameters, mapper.convertValue(request, Map.class))));
            }
        }
        return error(404, "no such resource: " + path + " (the API has " + ROUTES + ")");
    }

    private HttpReply metrics()
    {
        return new HttpReply(
            200, PrometheusExposition.CONTENT_TYPE, metrics.text(), null);
    }

    private HttpReply getPlacement(final Map<String, List<String>> parameters) throws JacksonException
    {
        final String type = first(parameters, "type");
        if (null != type)
        {
            return json(api.placementWithLoads(type));
        }
        final List<PlacementView> all = new ArrayList<>(VplaneConfig.DEVICE_TYPES.size());
        for (final String deviceType : VplaneConfig.DEVICE_TYPES)
        {
            all.add(api.placementWithLoads(deviceType));
        }
        return json(all);
    }

    private HttpReply postPlacement(final Map<String, List<String>> parameters, final String body) throws JacksonException
    {
        final JsonNode request = parse(body);
        if (!request.isObject())
        {
            throw new IllegalArgumentException("expected a JSON object like {\"type\":\"blk\",\"queuesPerWorker\":3}");
        }

        String type = first(parameters, "type");
        final JsonNode typeNode = request.get("type");
        if (null != typeNode && !typeNode.isNull())
        {
            if (!typeNode.isTextual())
            {
                throw new IllegalArgumentException("field 'type' must be a string");
            }
            type = typeNode.asText();
        }
        if (null == type || type.isBlank())
        {
            throw new IllegalArgumentException("missing field 'type'");
        }

        final int queuesPerWorker;
        final JsonNode queuesNode = request.get("queuesPerWorker");
        if (null != queuesNode && !queuesNode.isNull())
        {
            if (!queuesNode.isIntegralNumber() || !queuesNode.canConvertToInt())
            {
                throw new IllegalArgumentException("field 'queuesPerWorker' must be an integer");
            }
            queuesPerWorker = queuesNode.intValue();
        }
        else
        {
            final String text = first(parameters, "queuesPerWorker");
            if (null == text)
            {
                throw new IllegalArgumentException("missing field 'queuesPerWorker'");
            }
            try
            {
                queuesPerWorker = Integer.parseInt(text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("queuesPerWorker must be an integer: '" + text + "'");
            }
        }

        return json(api.changePlacement(type, queuesPerWorker));
    }

    private HttpReply postAutotune(final String body) throws JacksonException
    {
        final JsonNode request = parse(body);
        final JsonNode type = request.get("type");
        if (null == type || !type.isTextual())
        {
            throw new IllegalArgumentException(
                "expected a JSON object like {\"type\":\"blk\",\"maxQueuesPerWorker\":4,\"windowMs\":1000}");
        }
        return json(api.autotunePlacement(type.asText(), request.path("maxQueuesPerWorker").asInt(4), request.path("windowMs").asLong(1000)));
    }

    private HttpReply postGroup(final String body) throws JacksonException
    {
        final JsonNode request = parse(body);
        final JsonNode type = request.get("type");
        final JsonNode threshold = request.path("thresholdPercent");
        final JsonNode dryRun = request.path("dryRun");
        if (null == type || !type.isTextual() || !(threshold.isMissingNode() || threshold.isNumber()) ||
            !(dryRun.isMissingNode() || dryRun.isBoolean()))
        {
            throw new IllegalArgumentException(
                "expected a JSON object like {\"type\":\"net\",\"thresholdPercent\":25,\"dryRun\":true}");
        }
        return json(api.groupByLoad(type.asText(), threshold.asDouble(DEFAULT_GROUP_THRESHOLD_PERCENT), dryRun.asBoolean(false)));
    }

    private HttpReply postTune(final String body) throws JacksonException
    {
        final JsonNode request = parse(body);
        if (!request.isObject() || !request.path("type").isTextual())
        {
            throw new IllegalArgumentException("expected a JSON object like {\"type\":\"net\",\"candidates\":[1,2,3,4]," +
                "\"durationMs\":10000,\"load\":\"builtin\",\"criterion\":\"utilisation\",\"dryRun\":false,\"apply\":false," +
                "\"ratePerWorker\":20000}");
        }
        final TuneRequest tune;
        try
        {
            tune = mapper.readerFor(TuneRequest.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(request);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("bad tune request: " +
                (ex instanceof final JacksonException json ? json.getOriginalMessage() : ex.getMessage()));
        }
        return HttpReply.json(202, mapper.writeValueAsString(api.startTune(tune)));
    }

    private HttpReply postDevice(final String body) throws JacksonException
    {
        final JsonNode request = parse(body);
        final JsonNode kind = request.get("kind");
        final JsonNode device = request.get("device");
        if (null == kind || !kind.isTextual() || null == device || !device.isObject())
        {
            throw new IllegalArgumentException(
                "expected a JSON object like {\"kind\":\"loopback\",\"device\":{\"name\":\"lo1\",\"type\":\"blk\"}}");
        }
        return json(api.addDevice(kind.asText(), mapper.writeValueAsString(device)));
    }

    private HttpReply deviceByName(final String method, final String name) throws JacksonException
    {
        if (!DELETE.equals(method))
        {
            return notAllowed(method, DEVICES + "/" + name, DELETE);
        }
        api.removeDevice(name);
        return json(Map.of("removed", name));
    }

    private JsonNode parse(final String body)
    {
        if (body.isBlank())
        {
            return mapper.createObjectNode();
        }
        try
        {
            return mapper.readTree(body);
        }
        catch (final JacksonException ex)
        {
            throw new IllegalArgumentException("bad JSON: " + ex.getOriginalMessage());
        }
    }

    private HttpReply json(final Object value) throws JacksonException
    {
        return HttpReply.json(200, mapper.writeValueAsString(value));
    }

    private HttpReply notAllowed(final String method, final String path, final String allowed)
    {
        final HttpReply reply = error(405, method + " not allowed on " + path + "; use " + allowed);
        return new HttpReply(reply.status(), reply.contentType(), reply.body(), allowed);
    }

    private HttpReply error(final int status, final String message)
    {
        try
        {
            return HttpReply.json(status, mapper.writeValueAsString(Map.of("error", message)));
        }
        catch (final JacksonException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String first(final Map<String, List<String>> parameters, final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() ? null : values.getFirst();
    }

    private static String messageOf(final Exception ex)
    {
        return null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
    }
}
