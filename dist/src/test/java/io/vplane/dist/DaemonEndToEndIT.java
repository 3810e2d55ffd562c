package io.vplane.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.engine.management.ManagementClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts {@code bin/vplane run} as a process with a loopback device on the blk pool, reads
 * {@code vplane stat} and {@code /metrics}, changes placement live with {@code vplane ctl}, reloads
 * an edited config with SIGHUP, then sends SIGTERM and checks exit 0 and a clean run directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonEndToEndIT
{
    private static final Pattern REQUESTS = Pattern.compile(
        "vplane_queue_requests_total\\{[^}]*device=\"lo1\"[^}]*} ([0-9.E]+)");

    @TempDir
    Path tmp;

    private DaemonProcess daemon;

    @AfterEach
    void stopDaemon() throws Exception
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldRunShowCountersRebindAndReloadLiveAndStopCleanly() throws Exception
    {
        final Path runDir = tmp.resolve("run");
        final Path config = writeConfig(runDir);
        final String url = startDaemon(config, runDir);

        final String metrics = awaitRequests(url, 1_000);
        assertThat(metrics).contains("# TYPE vplane_worker_busy_ns_total counter").contains("vplane_queue_ring_occupancy{");

        final VplaneProcess.Result stat = VplaneProcess.run(tmp, "stat", "--run-dir", runDir.toString(), "--once", "--interval-ms", "500");
        assertThat(stat.exitCode()).as(stat.output()).isZero();
        assertThat(stat.output()).contains("blk-0").contains("blk.lo1.g0").contains("lo1/5");

        final VplaneProcess.Result placement = VplaneProcess.run(tmp,
            "ctl", "placement", "--run-dir", runDir.toString(), "--type", "blk", "--queues-per-worker", "3");
        assertThat(placement.exitCode()).as(placement.output()).isZero();
        assertThat(placement.output()).contains("queuesPerWorker=3").contains("blk.lo1.g1").doesNotContain("blk.lo1.g2");

        final JsonNode view = new ObjectMapper().readTree(get(url + "/placement?type=blk"));
        assertThat(view.get("queuesPerWorker").asInt()).isEqualTo(3);
        int groups = 0;
        for (final JsonNode worker : view.get("workers"))
        {
            groups += worker.get("groups").size();
        }
        assertThat(groups).isEqualTo(2);

        final double before = requests(get(url + "/metrics"));
        final String after = awaitRequests(url, before + 1_000);
        assertThat(after).doesNotContainPattern("vplane_loopback_order_errors_total\\{[^}]*} [1-9]");

        final VplaneProcess.Result add = VplaneProcess.run(tmp, "ctl", "device", "add", "--run-dir", runDir.toString(),
            "loopback", "{\"name\":\"lo7\",\"type\":\"vsock\",\"queues\":2}");
        assertThat(add.exitCode()).as(add.output()).isZero();
        assertThat(VplaneProcess.run(tmp, "ctl", "device", "list", "--run-dir", runDir.toString()).output())
            .containsPattern("lo7 +loopback +vsock +2 queues");
        final VplaneProcess.Result badAdd = VplaneProcess.run(tmp, "ctl", "device", "add", "--run-dir", runDir.toString(),
            "loopback", "{\"name\":\"lo8\",\"queus\":2}");
        assertThat(badAdd.exitCode()).isEqualTo(1);
        assertThat(badAdd.output()).contains("did you mean 'queues'?");
        assertThat(VplaneProcess.run(tmp, "ctl", "device", "del", "--run-dir", runDir.toString(), "lo7").exitCode()).isZero();

        Files.writeString(config, Files.readString(config).replace("queuesPerWorker: 2", "queuesPerWorker: 6")
            + "    - {name: lo2, type: net, queues: 2, ratePerSec: 1000}\n");
        daemon.reload();
        final JsonNode status = awaitJson(url + "/status", node -> node.get("devices").size() == 2);
        assertThat(status.get("devices").toString()).contains("\"lo2\"");
        assertThat(new ObjectMapper().readTree(get(url + "/placement?type=blk")).get("queuesPerWorker").asInt()).isEqualTo(6);

        daemon.stopCleanly();
        try (Stream<Path> left = Files.list(runDir))
        {
            assertThat(left).as(daemon.log()).isEmpty();
        }
    }

    @Test
    void shouldRefuseASecondDaemonOnTheSameRunDirectory() throws Exception
    {
        final Path runDir = tmp.resolve("run");
        final Path config = writeConfig(runDir);
        startDaemon(config, runDir);

        final VplaneProcess.Result second = VplaneProcess.run(tmp, "run", "--config", config.toString());

        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.output()).contains("another vplane daemon (pid " + daemon.process.pid() + ") is already running");
    }

    @Test
    void shouldExplainABadConfigFileAndNotStart() throws Exception
    {
        final Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "pools:\n  blk:\n    queuesPerWorkr: 3\n    ringSize: 1000\n");

        final VplaneProcess.Result check = VplaneProcess.run(tmp, "config", "check", bad.toString());
        final VplaneProcess.Result run = VplaneProcess.run(tmp, "run", "--config", bad.toString());

        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.output())
            .contains(bad + ":3:5: pools.blk.queuesPerWorkr: unknown setting 'queuesPerWorkr'; did you mean 'queuesPerWorker'?")
            .contains(bad + ":4:15: pools.blk.ringSize:");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("did you mean 'queuesPerWorker'?");
        assertThat(VplaneProcess.run(tmp, "config", "check", VplaneProcess.HOME.resolve("config/vplane.yaml").toString()).exitCode())
            .isZero();
    }

    @Test
    void shouldReloadOnSighupWhenStartedUnderNohup() throws Exception
    {
        final Path runDir = tmp.resolve("run");
        final Path config = writeConfig(runDir);
        daemon = DaemonProcess.startUnderNohup(config, runDir);
        // the handler is installed just after the management socket appears
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!daemon.log().contains("SIGHUP was ignored at start"))
        {
            assertThat(System.nanoTime() - deadline).as(daemon.log()).isNegative();
            Thread.sleep(50);
        }

        Files.writeString(config, Files.readString(config) + "    - {name: lo2, type: net, queues: 2, ratePerSec: 1000}\n");
        daemon.reload();
        final JsonNode status = awaitJson(daemon.url + "/status", node -> node.get("devices").size() == 2);
        assertThat(status.get("devices").toString()).contains("\"lo2\"");
        daemon.stopCleanly();
    }

    private Path writeConfig(final Path runDir) throws IOException
    {
        final Path file = tmp.resolve("vplane.yaml");
        Files.writeString(file, """
            daemon: {runDir: %s, drainTimeoutMs: 3000}
            pools:
              blk:
                workers: 1
                queuesPerWorker: 2
                idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 10000, maxParkNs: 1000000}
            devices:
              loopback:
                - {name: lo1, type: blk, queues: 6, ratePerSec: 20000}
            """.formatted(runDir));
        return file;
    }

    private String startDaemon(final Path config, final Path runDir) throws Exception
    {
        daemon = DaemonProcess.start(config, runDir);
        return daemon.url;
    }

    private String awaitRequests(final String url, final double atLeast) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final String metrics = get(url + "/metrics");
            if (requests(metrics) >= atLeast)
            {
                return metrics;
            }
            assertThat(System.nanoTime() - deadline).as("requests stayed below %s:\n%s\n%s", atLeast, metrics, daemon.log()).isNegative();
            Thread.sleep(200);
        }
    }

    private JsonNode awaitJson(final String url, final java.util.function.Predicate<JsonNode> condition) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final JsonNode node = new ObjectMapper().readTree(get(url));
            if (condition.test(node))
            {
                return node;
            }
            assertThat(System.nanoTime() - deadline).as("%s never matched: %s\n%s", url, node, daemon.log()).isNegative();
            Thread.sleep(200);
        }
    }

    private static double requests(final String metrics)
    {
        double total = 0;
        final Matcher matcher = REQUESTS.matcher(metrics);
        while (matcher.find())
        {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }

    /** @param url the daemon's {@code unix:} base followed by the request's path */
    private String get(final String url)
    {
        return new ManagementClient(daemon.url).get(url.substring(daemon.url.length()));
    }
}
