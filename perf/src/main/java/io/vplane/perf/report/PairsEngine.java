package io.vplane.perf.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a benchmark's sides interleaved: per pair the subject, then each anchor, back to back (the
 * script fixes the CPU placement of every side), for the given number of pairs; collects the
 * figure lines and the host's conditions before and after. A side that fails ends the benchmark
 * as failed, with the tail of its log.
 */
public final class PairsEngine
{
    private static final Duration SIDES_LIMIT = Duration.ofMinutes(2);
    private static final Duration QUICK_SIDE_LIMIT = Duration.ofMinutes(5);
    private static final Duration SIDE_LIMIT = Duration.ofMinutes(60);
    private static final Duration CONDITIONS_SAMPLE = Duration.ofSeconds(1);

    private final HostProbe probe;
    private final PrintStream progress;
    private final boolean force;

    /** @param force measure even while a busy poller runs (it is recorded in the conditions) */
    public PairsEngine(final HostProbe probe, final PrintStream progress, final boolean force)
    {
        this.probe = probe;
        this.progress = progress;
        this.force = force;
    }

    public BenchmarkRun run(final Benchmark benchmark, final int pairs, final boolean quick, final Path logDir)
        throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        final Conditions before = probe.conditions(CONDITIONS_SAMPLE);
        if (!force && !before.pollers().isEmpty())
        {
            // left by the benchmark before, or started meanwhile
            return failed(benchmark, List.of(), List.of(), before, start,
                "refused to start: busy pollers running: " + PollerGate.describe(before.pollers()), "");
        }
        final SideProcess.Outcome listed = SideProcess.run(List.of(benchmark.script().toString(), "--sides"),
            logDir.resolve("sides"), SIDES_LIMIT);
        if (!listed.ok())
        {
            return failed(benchmark, List.of(), List.of(), before, start, describe("--sides", listed), listed.tail());
        }
        final List<Side> sides;
        try
        {
            sides = Side.parseAll(listed.stdout());
        }
        catch (final IllegalArgumentException e)
        {
            return failed(benchmark, List.of(), List.of(), before, start, e.getMessage(), listed.tail());
        }
        final List<PairOutcome> outcomes = new ArrayList<>();
        for (int pair = 1; pair <= pairs; pair++)
        {
            final Map<String, List<Figure>> figures = new LinkedHashMap<>();
            for (final Side side : sides)
            {
                progress.printf(Locale.ROOT, "%s: pair %d of %d, %s %s...%n", benchmark.name(), pair, pairs, side.role().word(), side.name());
                final List<String> command = new ArrayList<>(List.of(benchmark.script().toString(), "--side", side.name()));
                if (quick)
                {
                    command.add("--quick");
                }
                command.addAll(benchmark.args());
                final SideProcess.Outcome outcome = SideProcess.run(command, logDir.resolve("pair" + pair + "-" + side.name()),
                    quick ? QUICK_SIDE_LIMIT : SIDE_LIMIT);
                if (!outcome.ok())
                {
                    return failed(benchmark, sides, outcomes, before, start, describe("side " + side.name() + " in pair " + pair, outcome),
                        outcome.tail());
                }
                try
                {
                    final List<Figure> printed = figures(outcome.stdout());
                    if (printed.isEmpty())
                    {
                        return failed(benchmark, sides, outcomes, before, start,
                            "side " + side.name() + " in pair " + pair + " printed no figure line", outcome.tail());
                    }
                    figures.put(side.name(), printed);
                }
                catch (final IllegalArgumentException e)
                {
                    return failed(benchmark, sides, outcomes, before, start, e.getMessage(), outcome.tail());
                }
            }
            outcomes.add(new PairOutcome(pair, figures));
        }
        return new BenchmarkRun(benchmark.name(), benchmark.args(), sides, outcomes, before, probe.conditions(CONDITIONS_SAMPLE),
            seconds(start), null, null);
    }

    private static List<Figure> figures(final String stdout)
    {
        final List<Figure> figures = new ArrayList<>();
        stdout.lines().forEach(line -> Figure.parse(line).ifPresent(figures::add));
        return figures;
    }

    private BenchmarkRun failed(
        final Benchmark benchmark, final List<Side> sides, final List<PairOutcome> outcomes, final Conditions before,
        final long start, final String failure, final String tail)
    {
        progress.println(benchmark.name() + ": FAILED: " + failure);
        return new BenchmarkRun(benchmark.name(), benchmark.args(), sides, outcomes, before, probe.conditions(CONDITIONS_SAMPLE),
            seconds(start), failure, tail);
    }

    private static String describe(final String what, final SideProcess.Outcome outcome)
    {
        return outcome.timedOut() ? what + " did not finish in time and was stopped" : what + " exited with status " + outcome.exitCode();
    }

    private static double seconds(final long start)
    {
        return (System.nanoTime() - start) / 1e9;
    }
}
