package io.vplane.engine.cli;

import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.counters.EngineMetrics;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class StatCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void oncePrintsOneTableAndExits()
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 16))
        {
            final AtomicCounter cycles = file.counters().counter(
                EngineMetrics.WORKER_DUTY_CYCLES_TOTAL, "pool", "net", "worker", "net-0");
            file.counters().gauge(EngineMetrics.WORKER_CPU, "pool", "net", "worker", "net-0").setRelease(1);
            file.counters().counter(EngineMetrics.WORKER_BUSY_NS_TOTAL, "pool", "net", "worker", "net-0");
            cycles.set(10);

            final int exitCode = execute("--counters-file", path.toString(), "--once", "--interval-ms", "10");

            assertThat(exitCode).as(err.toString()).isZero();
            assertThat(out.toString())
                .startsWith("vplane stat  pid " + ProcessHandle.current().pid())
                .contains("counters " + path)
                .contains("Workers\n  pool  worker  cpu  busy %  duty cycles/s\n  net   net-0     1")
                .doesNotContain("\033[");
        }
    }

    @Test
    void rawPrintsEveryCounterOnceWithItsLabelAndValue()
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 16))
        {
            file.counters().counter(EngineMetrics.WORKER_DUTY_CYCLES_TOTAL, "pool", "net", "worker", "net-0").set(10);
            file.counters().gauge(EngineMetrics.WORKER_CPU, "pool", "net", "worker", "net-0").setRelease(-1);

            assertThat(execute("--counters-file", path.toString(), "--raw")).as(err.toString()).isZero();
            assertThat(out.toString()).isEqualTo(
                "vplane_worker_duty_cycles_total{pool=\"net\",worker=\"net-0\"} 10\n" +
                "vplane_worker_cpu{pool=\"net\",worker=\"net-0\"} -1\n");
        }
    }

    @Test
    void countLimitsTheTables()
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 16))
        {
            file.counters().counter("things_total");

            assertThat(execute("--counters-file", path.toString(), "--count", "2", "--interval-ms", "5")).isZero();
            assertThat(out.toString().split("vplane stat  pid", -1)).hasSize(3);
        }
    }

    @Test
    void missingFileExitsOneWithAClearMessage()
    {
        final Path path = dir.resolve("none.dat");

        assertThat(execute("--counters-file", path.toString(), "--once")).isEqualTo(1);
        assertThat(err.toString()).contains("no counters file at " + path + ": is the daemon running with this run directory?");
    }

    @Test
    void daemonGoingAwayExitsOne() throws Exception
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 4))
        {
            file.counters().counter("things_total");
            final CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(
                () -> execute("--counters-file", path.toString(), "--interval-ms", "50"));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!out.toString().contains("things_total") && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            Files.delete(path);

            assertThat(exitCode.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(err.toString()).contains("has stopped: " + path + " is gone");
        }
    }

    @Test
    void rejectsNonPositiveInterval()
    {
        assertThat(execute("--counters-file", "x", "--interval-ms", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--interval-ms must be positive");
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new StatCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
