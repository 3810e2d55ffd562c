package io.vplane.perf.vswitch;

import io.vplane.perf.jmh.JmhSides;
import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link VswitchBenchmark} with the GC profiler and prints Mpps per path and table size side by
 * side with the bytes allocated per frame, and the goal: 30 Mpps per core for lookup and rewrite.
 * Arguments: {@code [iterations] [secondsPerIteration]}; or the side-by-side protocol ({@code --sides},
 * {@code --side vplane|jdk-hashmap|agrona-map [--quick]}: lookup + rewrite at 1k and 64k entries)
 * for perf/bin/pairs and perf/bin/report.
 */
public final class VswitchComparison
{
    private static final double GOAL_MPPS = 30.0;

    private VswitchComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (JmhSides.answer(args, VswitchBenchmark.class,
            List.of(new JmhSides.SideMethod("vplane", "subject", "vplane IP-hash table lookup + rewrite", "tableLookupRewrite"),
                new JmhSides.SideMethod("jdk-hashmap", "anchor", "JDK HashMap lookup + rewrite", "hashMapLookupRewrite"),
                new JmhSides.SideMethod("agrona-map", "anchor", "Agrona Object2ObjectHashMap lookup + rewrite", "agronaMapLookupRewrite")),
            List.of(new JmhSides.Case("lookup + rewrite, 1k entries", "entries", "1024"),
                new JmhSides.Case("lookup + rewrite, 64k entries", "entries", "65536")),
            new JmhSides.Metric("throughput", "Mpps", "higher", 1e-6)))
        {
            return;
        }
        final Collection<RunResult> results = ProfiledRun.run(VswitchBenchmark.class, args);

        System.out.println();
        System.out.println("vswitch, 64-byte IPv4 frames, one thread (Mpps = million frames per second)");
        System.out.printf(Locale.ROOT, "%-44s %8s %10s %10s %14s%n", "path", "entries", "Mpps", "± Mpps", "alloc B/frame");
        double tableLookup = Double.NaN;
        double tableLookup64k = Double.NaN;
        for (final RunResult result : results)
        {
            final String name = ProfiledRun.method(result);
            final String entries = result.getParams().getParam("entries");
            final Result<?> primary = result.getPrimaryResult();
            final double mpps = primary.getScore() / 1e6;
            System.out.printf(Locale.ROOT, "%-44s %8s %10.2f %10.2f %14.3f%n", label(name), entries, mpps,
                primary.getScoreError() / 1e6, ProfiledRun.allocatedBytesPerOp(result));
            if ("tableLookupRewrite".equals(name))
            {
                if ("1024".equals(entries))
                {
                    tableLookup = mpps;
                }
                else
                {
                    tableLookup64k = mpps;
                }
            }
        }
        System.out.printf(Locale.ROOT, "goal: >= %.0f Mpps per core for lookup + rewrite: 1k entries %.1f (%s), 64k entries %.1f (%s)%n",
            GOAL_MPPS, tableLookup, tableLookup >= GOAL_MPPS ? "met" : "not met",
            tableLookup64k, tableLookup64k >= GOAL_MPPS ? "met" : "not met");
    }

    private static String label(final String benchmark)
    {
        return switch (benchmark)
        {
            case "stage" -> "vplane switch stage (rx, switch, tx, counters)";
            case "sourcesOnly" -> "  of which the frame generator (source ports)";
            case "tableLookupRewrite" -> "vplane IP-hash table lookup + rewrite";
            case "hashMapLookupRewrite" -> "JDK HashMap lookup + rewrite";
            case "agronaMapLookupRewrite" -> "Agrona Object2ObjectHashMap lookup + rewrite";
            default -> benchmark;
        };
    }
}
