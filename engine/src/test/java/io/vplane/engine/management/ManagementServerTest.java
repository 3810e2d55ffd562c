package io.vplane.engine.management;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.counters.PrometheusExposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ManagementServerTest
{
    private final ObjectMapper mapper = ManagementJson.mapper();
    private final FakeManagementApi api = new FakeManagementApi();
    private final Counters counters = Counters.inMemory(16);
    private ManagementServer server;
    private ManagementClient client;
    private BearerToken token;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception
    {
        counters.counter(EngineMetrics.QUEUE_REQUESTS_TOTAL, "pool", "blk", "device", "lo1", "queue", "0").set(12);
        token = TokenFiles.token(dir);
        server = tcpServer("127.0.0.1", 0);
        client = new ManagementClient(server.start(), token, null);
    }

    private ManagementServer tcpServer(final String address, final int port)
    {
        return new ManagementServer(new ManagementListener.Tcp(address, port, token, null), api, counters.reader());
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void startReturnsTheBoundUrl()
    {
        assertThat(server.baseUrl()).matches("http://127\\.0\\.0\\.1:[1-9][0-9]*").isEqualTo(client.baseUrl());
    }

    @Test
    void metricsAreServedAsPrometheusText() throws Exception
    {
        final HttpResponse<String> response = raw("GET", "/metrics", "");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(PrometheusExposition.CONTENT_TYPE);
        assertThat(response.body())
            .contains("# TYPE vplane_queue_requests_total counter")
            .contains("vplane_queue_requests_total{device=\"lo1\",pool=\"blk\",queue=\"0\"} 12.0");
    }

    @Test
    void statusIsJson() throws Exception
    {
        final HttpResponse<String> response = raw("GET", "/status", "");
        assertThat(response.headers().firstValue("content-type")).hasValue(HttpReply.JSON);

        final StatusView status = mapper.readValue(client.get("/status"), StatusView.class);
        assertThat(status).isEqualTo(api.status());
    }

    @Test
    void configIsTheRunningConfigWithEnumsAsNames() throws Exception
    {
        final JsonNode config = mapper.readTree(client.get("/config"));

        assertThat(config.path("counters").path("fileName").asText()).isEqualTo(api.config().counters().fileName());
        assertThat(config.path("pools").path("blk").path("idle").path("strategy").asText())
            .isEqualTo(api.config().pool("blk").idle().strategy().name());
    }

    @Test
    void reloadReportsChanges() throws Exception
    {
        assertThat(mapper.readValue(client.post("/reload", ""), ReloadReport.class)).isEqualTo(api.reload());
    }

    @Test
    void tuneStartsInTheBackgroundAndRefusesUnknownFields() throws Exception
    {
        assertThatThrownBy(() -> client.get("/tune")).isInstanceOf(ManagementClientException.class)
            .hasMessageContaining("no tuning run yet");
        assertThatThrownBy(() -> client.post("/tune", "{\"type\":\"net\",\"candidate\":[1]}"))
            .isInstanceOf(ManagementClientException.class).hasMessageContaining("bad tune request").hasMessageContaining("candidate");
        assertThatThrownBy(() -> client.post("/tune", "{}")).hasMessageContaining("expected a JSON object like");

        final TuneView started = mapper.readValue(
            client.post("/tune", "{\"type\":\"net\",\"candidates\":[1,2],\"durationMs\":2000,\"dryRun\":true,\"ratePerWorker\":5000}"),
            TuneView.class);

        assertThat(api.tuneRequest.candidates()).containsExactly(1, 2);
        assertThat(api.tuneRequest.ratePerWorker()).isEqualTo(5_000);
        assertThat(api.tuneRequest.load()).as("left out: the daemon's default").isNull();
        assertThat(mapper.readValue(client.get("/tune"), TuneView.class)).isEqualTo(started);
        final var trial = mapper.readTree(client.get("/tune")).get("trials").get(1);
        assertThat(trial.get("latencySamples").asLong()).isEqualTo(20_000);
        assertThat(trial.get("latencyP50Us").asDouble()).isEqualTo(9.5);
        assertThat(trial.get("latencyP99Us").asDouble()).isEqualTo(40.0);
    }

    @Test
    void groupByLoadAnswersTheEstimate() throws Exception
    {
        final GroupingView view = mapper.readValue(
            client.post("/placement/group", "{\"type\":\"blk\",\"thresholdPercent\":10,\"dryRun\":true}"), GroupingView.class);

        assertThat(view.dryRun()).isTrue();
        assertThat(view.thresholdPercent()).isEqualTo(10);
        assertThatThrownBy(() -> client.post("/placement/group", "{\"type\":\"blk\",\"dryRun\":\"yes\"}"))
            .hasMessageContaining("expected a JSON object like");
    }

    @Test
    void placementOfOneTypeOrAll() throws Exception
    {
        assertThat(mapper.readValue(client.get("/placement?type=blk"), PlacementView.class)).isEqualTo(api.placementWithLoads("blk"));

        final List<PlacementView> all = mapper.readValue(client.get("/placement"), new TypeReference<List<PlacementView>>()
        {
        });
        assertThat(all).extracting(PlacementView::type).containsExactly("net", "blk", "vsock");
    }

    @Test
    void autotuneReturnsTrialsAndTheChosenPlacement() throws Exception
    {
        final var answer = mapper.readTree(client.post("/placement/autotune", "{\"type\":\"blk\",\"maxQueuesPerWorker\":2}"));

        assertThat(answer.get("chosenQueuesPerWorker").asInt()).isEqualTo(2);
        assertThat(answer.get("trials")).hasSize(2);
        assertThatThrownBy(() -> client.post("/placement/autotune", "{}")).hasMessageContaining("expected a JSON object like");
    }

    @Test
    void devicesAreListedAddedAndRemoved() throws Exception
    {
        assertThat(mapper.readTree(client.get("/devices")).get(0).get("name").asText()).isEqualTo("lo1");

        final String added = client.post("/devices", "{\"kind\":\"loopback\",\"device\":{\"name\":\"lo9\",\"queues\":2}}");
        assertThat(mapper.readTree(added).get("name").asText()).isEqualTo("lo9");
        assertThat(mapper.readTree(api.addedDevice)).isEqualTo(mapper.readTree("{\"name\":\"lo9\",\"queues\":2}"));

        assertThat(client.delete("/devices/lo1")).contains("\"removed\"");
        assertThat(api.removedDevice).isEqualTo("lo1");
    }

    @Test
    void badDeviceRequestsAreClientErrors()
    {
        assertThatThrownBy(() -> client.post("/devices", "{\"kind\":\"loopback\"}"))
            .isInstanceOf(ManagementClientException.class).hasMessageContaining("expected a JSON object like");
        assertThatThrownBy(() -> client.post("/devices", "{\"kind\":\"tap\",\"device\":{}}"))
            .isInstanceOf(ManagementClientException.class).hasMessageContaining("unknown device kind 'tap'");
        assertThatThrownBy(() -> client.delete("/devices/nope"))
            .isInstanceOf(ManagementClientException.class).hasMessageContaining("no device nope");
        assertThatThrownBy(() -> client.get("/devices/lo1"))
            .isInstanceOf(ManagementClientException.class).hasMessageContaining("not allowed");
    }

    @Test
    void placementChangeFromJsonBody() throws Exception
    {
        final PlacementView view = mapper.readValue(
            client.post("/placement", "{\"type\":\"blk\",\"queuesPerWorker\":2}"), PlacementView.class);

        assertThat(view.queuesPerWorker()).isEqualTo(2);
        assertThat(api.changedType).isEqualTo("blk");
        assertThat(api.changedQueuesPerWorker).isEqualTo(2);
    }

    @Test
    void placementChangeFromQueryParameters() throws Exception
    {
        final PlacementView view = mapper.readValue(client.post("/placement?type=net&queuesPerWorker=4", ""), PlacementView.class);

        assertThat(view.type()).isEqualTo("net");
        assertThat(api.changedQueuesPerWorker).isEqualTo(4);
    }

    @Test
    void unknownPathIs404WithJsonError() throws Exception
    {
        final HttpResponse<String> response = raw("GET", "/nope", "");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(mapper.readTree(response.body()).path("error").asText()).startsWith("no such resource: /nope");
    }

    @Test
    void wrongMethodIs405() throws Exception
    {
        final HttpResponse<String> response = raw("POST", "/status", "");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");

        assertThat(raw("GET", "/reload", "").statusCode()).isEqualTo(405);
        assertThat(raw("DELETE", "/placement", "").headers().firstValue("allow")).hasValue("GET, POST");
    }

    @Test
    void badRequestsAre400WithTheReason()
    {
        assertError(() -> client.post("/placement", "{not json"), 400, "bad JSON");
        assertError(() -> client.post("/placement", "[1]"), 400, "expected a JSON object");
        assertError(() -> client.post("/placement", "{\"type\":\"blk\"}"), 400, "missing field 'queuesPerWorker'");
        assertError(() -> client.post("/placement", "{\"queuesPerWorker\":2}"), 400, "missing field 'type'");
        assertError(() -> client.post("/placement", "{\"type\":\"blk\",\"queuesPerWorker\":\"x\"}"), 400, "must be an integer");
        assertError(() -> client.post("/placement?type=blk&queuesPerWorker=x", ""), 400, "must be an integer");
    }

    @Test
    void illegalArgumentFromTheApiIs400()
    {
        assertError(() -> client.get("/placement?type=disk"), 400, "no worker pool for device type 'disk'");
        assertError(() -> client.post("/placement", "{\"type\":\"blk\",\"queuesPerWorker\":0}"), 400,
            "queuesPerWorker must be positive: 0");
    }

    @Test
    void otherFailuresAre500WithTheMessage()
    {
        assertError(() -> client.post("/placement", "{\"type\":\"boom\",\"queuesPerWorker\":1}"), 500, "workers did not answer");
    }

    @Test
    void clientSaysSoWhenNothingListens()
    {
        final String url = server.baseUrl();
        server.close();

        assertThatThrownBy(() -> new ManagementClient(url, token, null).get("/status"))
            .isInstanceOf(ManagementClientException.class)
            .hasMessage("cannot reach the vplane management API at " + url + ": connection refused (is the daemon running?)");
    }

    @Test
    void wildcardBindIsAdvertisedAsLoopback()
    {
        try (ManagementServer wildcard = tcpServer("0.0.0.0", 0))
        {
            final String url = wildcard.start();
            assertThat(url).startsWith("http://127.0.0.1:");
            assertThat(new ManagementClient(url, token, null).get("/status")).contains("\"pid\"");
        }
    }

    @Test
    void bindFailureIsReported()
    {
        final int port = Integer.parseInt(server.baseUrl().substring(server.baseUrl().lastIndexOf(':') + 1));
        try (ManagementServer second = tcpServer("127.0.0.1", port))
        {
            assertThatThrownBy(second::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot start the management API on 127.0.0.1:" + port);
        }
    }

    private static void assertError(final Runnable call, final int status, final String message)
    {
        final ManagementClientException ex = catchThrowableOfType(ManagementClientException.class, call::run);
        assertThat(ex).as("expected HTTP %d", status).isNotNull();
        assertThat(ex.statusCode()).isEqualTo(status);
        assertThat(ex.getMessage()).contains(message);
    }

    private HttpResponse<String> raw(final String method, final String path, final String body) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Authorization", token.header())
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
