package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/vplane run} with the net pool's worker pinned to CPU 1: that worker runs on CPU 1 only,
 * and every other thread of the daemon (collector, compilers, event loops, the blk worker that is
 * not pinned, control threads) on CPU 0, read from /proc/PID/task/TID/status.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HousekeepingIT
{
    private static final Pattern ALLOWED = Pattern.compile("Cpus_allowed_list:\\s+(\\S+)");

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
    void shouldKeepEveryThreadButThePinnedWorkerOffItsCpu() throws Exception
    {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "housekeeping test skipped: needs 2 CPUs");
        final Path runDir = tmp.resolve("run");
        final Path config = tmp.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, drainTimeoutMs: 3000}
            pools:
              net:
                workers: 1
                cpus: [1]
                idle: {strategy: backoff, maxSpins: 10, maxYields: 5, minParkNs: 10000, maxParkNs: 1000000}
            devices:
              loopback:
                - {name: lo1, type: net, queues: 2, ratePerSec: 1000}
            """.formatted(runDir));
        daemon = DaemonProcess.start(config, runDir);

        final Map<String, String> threads = threads(daemon.pid());
        final String why = threads + "\n" + daemon.log();
        assertThat(threads).as(why).containsEntry("worker-net-0", "1");
        assertThat(threads.entrySet().stream().filter(thread -> !thread.getKey().equals("worker-net-0")))
            .as(why).isNotEmpty().allSatisfy(thread -> assertThat(thread.getValue()).as(thread.getKey()).isEqualTo("0"));
        assertThat(daemon.log()).contains("housekeeping:").contains("on CPUs 0; workers pinned to 1");
        daemon.stopCleanly();
    }

    /** Thread name → the CPUs it may run on, for every thread of the process. */
    private static Map<String, String> threads(final long pid) throws IOException
    {
        final Map<String, String> threads = new LinkedHashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final Matcher allowed = ALLOWED.matcher(Files.readString(task.resolve("status")));
                    if (allowed.find())
                    {
                        threads.merge(Files.readString(task.resolve("comm")).strip(), allowed.group(1),
                            (a, b) -> a.equals(b) ? a : a + "|" + b);
                    }
                }
                catch (final IOException gone)
                {
                    // the thread ended meanwhile
                }
            }
        }
        return threads;
    }
}
