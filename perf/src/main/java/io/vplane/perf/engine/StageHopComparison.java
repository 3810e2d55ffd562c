package io.vplane.perf.engine;

import io.vplane.perf.jmh.JmhSides;
import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.RunResult;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link StageHopBenchmark} with the GC profiler and prints the engine's hop next to the bare
 * Agrona ring, with the ratio against the goal (no more than 10% over the bare ring) and the bytes
 * allocated per message.
 *
 * <p>The two run in alternating rounds, one fresh JVM fork each, and each round gives one ratio:
 * on a shared two-core machine, load from other processes comes and goes over seconds, so two
 * forks run back to back see nearly the same machine, while all forks of one benchmark followed by
 * all of the other may not. Within a fork the score is the median of its iterations, which resists
 * time stolen in bursts. The ratio reported is the median over the rounds.
 * Arguments: {@code [rounds] [iterations] [secondsPerIteration]}; or the side-by-side protocol
 * ({@code --sides}, {@code --side engine|bare [--quick]}) for perf/bin/pairs and perf/bin/report.
 */
public final class StageHopComparison
{
    private static final double GOAL_RATIO = 1.10;
    private static final String BARE = "bareRing";
    private static final String ENGINE = "engineHop";

    private StageHopComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (JmhSides.answer(args, StageHopBenchmark.class,
            List.of(new JmhSides.SideMethod("engine", "subject", "vplane's stage hop: ring, queue group, worker duty cycle", ENGINE),
                new JmhSides.SideMethod("bare", "anchor", "Agrona's bare OneToOneRingBuffer doing the same transfer", BARE)),
            List.of(new JmhSides.Case("hop, burst of " + StageHopBenchmark.BURST)),
            new JmhSides.Metric("time per message", "ns", "lower", 1.0)))
        {
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 1;

        System.out.println("stage hop, burst of " + StageHopBenchmark.BURST + " descriptors, one thread; "
            + rounds + " rounds of one fork per path, alternating");
        System.out.printf(Locale.ROOT, "%6s %18s %18s %10s %22s%n",
            "round", "bare ns/message", "engine ns/message", "ratio", "alloc B/msg bare/eng");
        final double[] ratios = new double[rounds];
        double bareAlloc = 0;
        double engineAlloc = 0;
        for (int round = 0; round < rounds; round++)
        {
            // alternate which path goes first, so neither always follows the other
            final boolean bareFirst = (round & 1) == 0;
            final RunResult first = ProfiledRun.runMethod(StageHopBenchmark.class, bareFirst ? BARE : ENGINE, iterations, seconds);
            final RunResult second = ProfiledRun.runMethod(StageHopBenchmark.class, bareFirst ? ENGINE : BARE, iterations, seconds);
            final RunResult bare = bareFirst ? first : second;
            final RunResult engine = bareFirst ? second : first;
            final double bareNs = ProfiledRun.medianIterationScore(bare);
            final double engineNs = ProfiledRun.medianIterationScore(engine);
            bareAlloc = Math.max(bareAlloc, ProfiledRun.allocatedBytesPerOp(bare));
            engineAlloc = Math.max(engineAlloc, ProfiledRun.allocatedBytesPerOp(engine));
            ratios[round] = engineNs / bareNs;
            System.out.printf(Locale.ROOT, "%6d %18.2f %18.2f %10.3f %10.3f / %9.3f%n", round + 1, bareNs, engineNs,
                ratios[round], ProfiledRun.allocatedBytesPerOp(bare), ProfiledRun.allocatedBytesPerOp(engine));
        }
        Arrays.sort(ratios);
        final double median = ratios[ratios.length / 2];
        System.out.printf(Locale.ROOT, "ratio engine/bare, median of %d rounds: %.3f (range %.3f..%.3f; goal <= %.2f: %s)%n",
            rounds, median, ratios[0], ratios[ratios.length - 1], GOAL_RATIO, median <= GOAL_RATIO ? "met" : "not met");
        System.out.printf(Locale.ROOT, "allocation per message, most of any round: bare %.3f B, engine %.3f B%n",
            bareAlloc, engineAlloc);
    }
}
