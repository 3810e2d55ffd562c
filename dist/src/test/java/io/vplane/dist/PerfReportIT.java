package io.vplane.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * perf/bin/report in its quick mode, 2 pairs, over a stand-in benchmark with known figures (one of
 * them swinging 4× between pairs), one whose anchor fails, the real nbd-vs-nbdkit (vplane,
 * nbdkit and qemu-nbd under fio) and the control channel (against socat's echo and an in-JVM echo): every table, chart and JSON key is there, the swinging figure is
 * called too noisy, the failed benchmark is reported with its log and the others still run; then
 * --compare against an edited copy of the JSON names exactly the figures that were moved. And
 * perf/bin/pairs refuses to start beside a leftover poller unless forced.
 */
// Hang guards, not speed checks: at a load average of 23 (a soak and other ITs beside it) the quick report took over 480 s.
@Timeout(value = 1200, unit = TimeUnit.SECONDS)
class PerfReportIT
{
    private static final Path RESOURCES = VplaneProcess.HOME.resolve("dist/src/test/resources/report");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** -Dvplane.report.force=true: on a development machine shared with other busy work, measure anyway (the
     * checks here are of the report's shape, not of its figures); CI runs without it, on a quiet host. */
    private static final boolean FORCE = Boolean.getBoolean("vplane.report.force");

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted()
    {
        started.forEach(process ->
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
    }

    @Test
    void shouldWriteTablesChartsAndFiguresOfEveryBenchmarkAndJudgeNoiseFailureAndChange() throws Exception
    {
        final Path list = tmp.resolve("benchmarks.tsv");
        Files.writeString(list, RESOURCES.resolve("fake-bench") + "\t\t\n" + RESOURCES.resolve("failing-bench") + "\t\t\n"
            + "nbd-vs-nbdkit\t\t\ncontrol-channel\t\t\n");
        final Path out = tmp.resolve("report");
        final List<String> command = new ArrayList<>(List.of("perf/bin/report", "--quick", "--pairs", "2", "--benchmarks", list.toString(),
            "--out", out.toString()));
        if (FORCE)
        {
            command.add("--force");
        }
        final Run report = run(900, command.toArray(String[]::new));
        assertThat(report.exit).as(report.output).isEqualTo(1);
        assertThat(report.output).contains("1 of 4 benchmarks failed");

        final String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("## Machine", "logical CPUs", "SMT siblings: ", "## Conditions", "## fake-bench", "## failing-bench",
            "## nbd-vs-nbdkit", "## control-channel", "| case | metric | channel median |", "| case | metric | fast median | anchor | anchor median | ratio fast/anchor, median [min–max] | verdict |");
        assertThat(row(md, "| steady case | throughput (Mpps, higher is better) | 110 | steady | 100 |")).contains("1.10× [1.10–1.10]", "vplane better");
        assertThat(row(md, "| steady case | p99 latency (us, lower is better) | 50.0 | steady | 60.0 |")).contains("vplane better");
        assertThat(row(md, "| wide case | throughput (Mpps, higher is better) | 100 | wobbly |")).contains("1.25× [0.50–2.00]", "too noisy to conclude");
        assertThat(md).contains("**FAILED**: side broken in pair 1 exited with status 3", "the anchor could not start its peer (on purpose)");
        for (final String[] job : new String[][] {{"randread 4k QD32", "IOPS (IOPS"}, {"read 1m QD8", "bandwidth (MiB/s"}})
        {
            for (final String metric : List.of(job[1], "p99 latency (us"))
            {
                for (final String anchor : List.of("nbdkit", "qemu-nbd"))
                {
                    assertThat(md).containsPattern(
                        "\\| " + job[0] + " \\| " + metric.replace("(", "\\(") + "[^|]*\\| [0-9.]+ \\| " + anchor + " \\| [0-9.]+ \\| [0-9.]+× \\[");
                }
            }
        }

        // the control channel over both transports against socat's echo (the real peer) and the in-JVM echo
        for (final String transport : List.of("tcp", "unix"))
        {
            for (final String metric : List.of("round trips \\(per s, higher", "p50 latency \\(us, lower", "p99 latency \\(us, lower"))
            {
                for (final String anchor : List.of("socat", "echo"))
                {
                    assertThat(md).containsPattern(
                        "\\| " + transport + " \\| " + metric + "[^|]*\\| [0-9.]+ \\| " + anchor + " \\| [0-9.]+ \\| [0-9.]+× \\[");
                }
            }
        }

        for (final String chart : List.of("control-channel-round-trips-per-s.png", "control-channel-p50-latency-us.png",
            "control-channel-p99-latency-us.png", "control-channel-ratios.png", "fake-bench-throughput-mpps.png", "fake-bench-p99-latency-us.png", "nbd-vs-nbdkit-iops-iops.png",
            "nbd-vs-nbdkit-bandwidth-mib-s.png", "nbd-vs-nbdkit-p99-latency-us.png", "fake-bench-ratios.png", "nbd-vs-nbdkit-ratios.png"))
        {
            final BufferedImage image = ImageIO.read(out.resolve(chart).toFile());
            assertThat(image).as(chart + " is a PNG").isNotNull();
            assertThat(image.getWidth()).isGreaterThanOrEqualTo(640);
            assertThat(md).contains("](" + chart + ")");
        }

        final Path json = out.resolve("report.json");
        final JsonNode root = JSON.readTree(json.toFile());
        assertThat(root.path("format").asInt()).isEqualTo(1);
        assertThat(root.path("gitCommit").asText()).matches("[0-9a-f]{40}(\\+changes)?");
        assertThat(root.path("mode").asText()).isEqualTo("quick");
        assertThat(root.path("pairs").asInt()).isEqualTo(2);
        for (final String key : List.of("started", "finished", "noiseFraction", "machine", "benchmarks"))
        {
            assertThat(root.has(key)).as(key).isTrue();
        }
        for (final String key : List.of("cpuModel", "logicalCpus", "smtSiblings", "kernel"))
        {
            assertThat(root.path("machine").has(key)).as("machine." + key).isTrue();
        }
        final Map<String, JsonNode> benchmarks = byName(root.path("benchmarks"));
        assertThat(benchmarks.keySet()).containsExactly("fake-bench", "failing-bench", "nbd-vs-nbdkit", "control-channel");
        assertThat(benchmarks.get("failing-bench").path("status").asText()).isEqualTo("failed");
        assertThat(benchmarks.get("failing-bench").path("logTail").asText()).contains("on purpose");
        for (final String name : List.of("fake-bench", "nbd-vs-nbdkit", "control-channel"))
        {
            final JsonNode benchmark = benchmarks.get(name);
            assertThat(benchmark.path("status").asText()).isEqualTo("ok");
            for (final String when : List.of("before", "after"))
            {
                final JsonNode conditions = benchmark.path("conditions").path(when);
                assertThat(conditions.path("loadAverage")).hasSize(3);
                assertThat(conditions.has("busiest") && conditions.has("pollers")).isTrue();
            }
            for (final JsonNode figure : benchmark.path("figures"))
            {
                for (final String values : List.of("subjectValues", "anchorValues", "ratio"))
                {
                    assertThat(figure.path(values).path("perPair")).as(name + " " + values).hasSize(2);
                    assertThat(figure.path(values).has("median") && figure.path(values).has("min") && figure.path(values).has("max")).isTrue();
                }
                assertThat(figure.path("verdict").asText()).isNotEmpty();
            }
        }
        assertThat(benchmarks.get("fake-bench").path("figures")).hasSize(3);
        assertThat(benchmarks.get("nbd-vs-nbdkit").path("figures")).hasSize(2 * 2 * 2);
        assertThat(benchmarks.get("control-channel").path("figures")).as("2 transports × 3 metrics × 2 anchors").hasSize(2 * 3 * 2);
        final List<String> anchors = new ArrayList<>();
        benchmarks.get("control-channel").path("figures").forEach(figure -> anchors.add(figure.path("anchor").asText()));
        assertThat(anchors).containsOnly("socat", "echo");

        // an older report in which vplane led the steady anchor by 2x in throughput and trailed it in latency
        final ObjectNode old = (ObjectNode)JSON.readTree(json.toFile());
        for (final JsonNode figure : old.path("benchmarks").get(0).path("figures"))
        {
            final ObjectNode ratio = (ObjectNode)figure.path("ratio");
            if (figure.path("case").asText().equals("steady case"))
            {
                final double median = figure.path("metric").asText().equals("throughput") ? 2.0 : 1.5;
                ratio.put("median", median).put("min", median - 0.1).put("max", median + 0.1);
            }
        }
        final Path oldJson = tmp.resolve("old.json");
        JSON.writeValue(oldJson.toFile(), old);
        final Run compare = run(60, "perf/bin/report", "--compare", oldJson.toString(), "--against", json.toString());
        assertThat(compare.exit).as(compare.output).isZero();
        assertThat(compare.output).contains(
            "fake-bench | steady case | throughput | vs steady: 2.00× [1.90–2.10] -> 1.10× [1.10–1.10]  regression",
            "fake-bench | steady case | p99 latency | vs steady: 1.50× [1.40–1.60] -> 0.83× [0.83–0.83]  improvement",
            "fake-bench | wide case | throughput | vs wobbly: 1.25× [0.50–2.00] -> 1.25× [0.50–2.00]  within noise",
            "1 regression(s), 1 improvement(s), 21 within noise");
    }

    @Test
    void shouldRefuseToStartBesideALeftoverPollerAndMeasureAnywayWhenForced() throws Exception
    {
        // a leftover "qemu-nbd": sleep under that name
        final Path poller = tmp.resolve("qemu-nbd");
        Files.copy(Path.of("/bin/sleep"), poller, StandardCopyOption.COPY_ATTRIBUTES);
        final Process leftover = new ProcessBuilder(poller.toString(), "300").start();
        started.add(leftover);
        final String fake = RESOURCES.resolve("fake-bench").toString();

        final Run refused = run(60, "perf/bin/pairs", fake, "--quick", "--pairs", "1", "--out", tmp.resolve("refused").toString());
        assertThat(refused.exit).as(refused.output).isEqualTo(2);
        assertThat(refused.output).contains("refusing to start", "pid " + leftover.pid() + " ");
        assertThat(tmp.resolve("refused/pairs.json")).doesNotExist();

        final Path forcedDir = tmp.resolve("forced");
        final Run forced = run(60, "perf/bin/pairs", fake, "--quick", "--pairs", "1", "--force", "--out", forcedDir.toString());
        assertThat(forced.exit).as(forced.output).isZero();
        assertThat(forced.output).contains("WARNING: --force", "steady case", "vplane better");
        final JsonNode json = JSON.readTree(forcedDir.resolve("pairs.json").toFile());
        final List<Long> recorded = new ArrayList<>();
        json.path("forcedPastPollers").forEach(p -> recorded.add(p.path("pid").asLong()));
        assertThat(recorded).contains(leftover.pid());
    }

    private record Run(int exit, String output)
    {
    }

    private Run run(final int seconds, final String... command) throws IOException, InterruptedException
    {
        final List<String> full = new ArrayList<>(List.of(command));
        full.set(0, VplaneProcess.HOME.resolve(command[0]).toString());
        final Path log = tmp.resolve("run-" + started.size() + ".log");
        final ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FAKE_BENCH_STATE", tmp.resolve("fake-bench.count").toString());
        builder.environment().put("VPLANE_BENCH_CACHE", tmp.resolve("cache").toString());
        final Process process = builder.start();
        started.add(process);
        final boolean ended = process.waitFor(seconds, TimeUnit.SECONDS);
        final String output = Files.readString(log);
        assertThat(ended).as("still running after " + seconds + " s:\n" + output).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static String row(final String md, final String start)
    {
        return md.lines().filter(line -> line.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no row " + start + " in\n" + md));
    }

    private static Map<String, JsonNode> byName(final JsonNode array)
    {
        final Map<String, JsonNode> byName = new java.util.LinkedHashMap<>();
        array.forEach(node -> byName.put(node.path("name").asText(), node));
        return byName;
    }
}
