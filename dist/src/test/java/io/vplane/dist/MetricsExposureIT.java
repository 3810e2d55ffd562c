package io.vplane.dist;

import io.vplane.engine.counters.CounterLabel;
import io.vplane.engine.management.ManagementClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon on its default config (config/vplane.yaml, which is the embedded default: loopback lo0,
 * vhost-user port vm0, NBD disk0; only the NBD port is a free one), with
 * frames from DPDK testpmd on vm0 and a write over NBD from qemu-io: every counter
 * {@code vplane stat --raw} lists is served exactly once by {@code /metrics}, under the counter's own
 * name and labels, and its name is documented in docs/counters.md (the names operators alert on).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MetricsExposureIT
{
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern DOCUMENTED = Pattern.compile("`((?:vplane|\\.\\.\\.)_[a-z0-9_]+)`");

    @TempDir
    Path tmp;

    private DaemonProcess daemon;
    private PeerProcesses peers;

    @AfterEach
    void stopPeers() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
    }

    @Test
    void shouldServeEveryStatCounterOnceInMetricsUnderItsDocumentedName() throws Exception
    {
        final Path runDir = tmp.resolve("run");
        // The reference file is the embedded default; only the NBD port changes, so that a daemon
        // already on 10809 on this machine does not stand in the way.
        peers = new PeerProcesses(tmp);
        final int nbdPort = PeerProcesses.freePort();
        final Path config = tmp.resolve("vplane.yaml");
        final String reference = Files.readString(VplaneProcess.HOME.resolve("config/vplane.yaml"));
        assertThat(reference).contains("\n  port: 10809\n");
        Files.writeString(config, reference.replace("\n  port: 10809\n", "\n  port: " + nbdPort + "\n"));
        daemon = DaemonProcess.startInDirectories(runDir, tmp.resolve("state"), tmp.resolve("daemon.log"),
            "run", "--config", config.toString());
        peers.testpmdTxOnly("testpmd", runDir.resolve("vm0.sock").toString());
        awaitRaw(runDir, "vplane_vhost_frames_total{port=\"vm0\"");
        final Process write = peers.start("qemu-io", "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", "-c", "flush",
            "nbd://127.0.0.1:" + nbdPort + "/disk0");
        assertThat(write.waitFor(60, TimeUnit.SECONDS) && 0 == write.exitValue()).as(readOrEmpty(tmp.resolve("qemu-io.log"))).isTrue();
        final Map<String, Long> counters = awaitRaw(runDir, "vplane_nbd_requests_total{disk=\"disk0\"");

        final Map<String, Integer> exposed = samples(new ManagementClient(daemon.url).get("/metrics"));
        final String docs = Files.readString(VplaneProcess.HOME.resolve("docs/counters.md"));
        final List<String> problems = new ArrayList<>();
        counters.keySet().forEach(label ->
        {
            final CounterLabel parsed = CounterLabel.parse(label);
            final String key = key(parsed.metricName(), labels(parsed));
            final int times = exposed.getOrDefault(key, 0);
            if (1 != times)
            {
                problems.add(label + " is served " + times + " times in /metrics as " + key);
            }
            if (!documented(family(parsed.metricName()), docs))
            {
                problems.add(parsed.metricName() + " is not in docs/counters.md");
            }
        });

        assertThat(counters).hasSizeGreaterThan(20);
        assertThat(problems).as("counters:\n%s\n/metrics:\n%s", counters, exposed.keySet()).isEmpty();
    }

    /** {@code vplane stat --raw}, once it lists a counter starting with {@code awaited} whose value is not 0. */
    private Map<String, Long> awaitRaw(final Path runDir, final String awaited) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final VplaneProcess.Result raw = VplaneProcess.run(tmp, "stat", "--raw", "--run-dir", runDir.toString());
            assertThat(raw.exitCode()).as(raw.output()).isZero();
            final Map<String, Long> counters = new TreeMap<>();
            for (final String line : raw.output().split("\n"))
            {
                final int space = line.lastIndexOf(' ');
                if (space > 0)
                {
                    assertThat(counters.put(line.substring(0, space), Long.parseLong(line.substring(space + 1))))
                        .as("counter listed twice: " + line).isNull();
                }
            }
            if (counters.entrySet().stream().anyMatch(e -> e.getKey().startsWith(awaited) && 0 != e.getValue()))
            {
                return counters;
            }
            assertThat(System.nanoTime() - deadline).as("no %s in:\n%s\n%s\ntestpmd:\n%s", awaited, raw.output(),
                daemon.log(), readOrEmpty(tmp.resolve("testpmd.log"))).isNegative();
            Thread.sleep(500);
        }
    }

    /** How often each sample (name and sorted labels) appears in Prometheus text; histogram bounds normalised. */
    static Map<String, Integer> samples(final String text)
    {
        final Map<String, Integer> samples = new HashMap<>();
        for (final String line : text.split("\n"))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("not a sample line: " + line).isTrue();
            final Map<String, String> labels = new TreeMap<>();
            final Matcher label = LABEL.matcher(null == sample.group(3) ? "" : sample.group(3));
            while (label.find())
            {
                labels.put(label.group(1), label.group(2));
            }
            samples.merge(key(sample.group(1), labels), 1, Integer::sum);
        }
        return samples;
    }

    private static Map<String, String> labels(final CounterLabel label)
    {
        final Map<String, String> labels = new TreeMap<>();
        label.labels().forEach(pair -> labels.put(pair.name(), pair.value()));
        return labels;
    }

    private static String key(final String name, final Map<String, String> labels)
    {
        final String le = labels.get("le");
        if (null != le && !"+Inf".equals(le))
        {
            labels.put("le", Double.toString(Double.parseDouble(le)));
        }
        return name + labels;
    }

    /** The documented name of a metric: a histogram's parts are documented under the histogram's name. */
    private static String family(final String name)
    {
        for (final String part : List.of("_bucket", "_sum"))
        {
            if (name.endsWith(part))
            {
                return name.substring(0, name.length() - part.length());
            }
        }
        return name;
    }

    /**
     * Whether docs/counters.md names {@code name} in backticks, in full or as {@code ..._SUFFIX} after a full
     * name on the same line that shares its prefix ({@code `vplane_x_rx_total`, `..._tx_total`}).
     */
    static boolean documented(final String name, final String docs)
    {
        for (final String line : docs.split("\n"))
        {
            String full = null;
            final Matcher names = DOCUMENTED.matcher(line);
            while (names.find())
            {
                final String documented = names.group(1);
                if (documented.equals(name))
                {
                    return true;
                }
                if (!documented.startsWith("..."))
                {
                    full = documented;
                }
                else if (null != full)
                {
                    final String suffix = documented.substring("...".length());
                    for (int cut = full.indexOf('_'); cut > 0; cut = full.indexOf('_', cut + 1))
                    {
                        if (name.equals(full.substring(0, cut) + suffix))
                        {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static String readOrEmpty(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
