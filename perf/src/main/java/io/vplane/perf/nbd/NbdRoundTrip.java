package io.vplane.perf.nbd;

import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs {@link NbdRoundTripBenchmark} with the GC profiler and prints, per 4 KiB request, the time
 * and the bytes allocated in the whole JVM (the request path should allocate next to nothing).
 * Arguments: {@code [iterations] [secondsPerIteration]}.
 */
public final class NbdRoundTrip
{
    private NbdRoundTrip()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Collection<RunResult> results = ProfiledRun.run(NbdRoundTripBenchmark.class, args);
        System.out.println();
        System.out.println("NBD round trip, bursts of " + NbdRoundTripBenchmark.DEPTH +
            " pipelined requests, client in the same JVM");
        System.out.printf(Locale.ROOT, "%-10s %10s %12s %12s %16s%n", "request", "bytes", "ns/request", "± error",
            "alloc B/request");
        for (final RunResult result : results)
        {
            final Result<?> primary = result.getPrimaryResult();
            System.out.printf(Locale.ROOT, "%-10s %10s %12.0f %12.0f %16.1f%n", ProfiledRun.method(result),
                result.getParams().getParam("blockBytes"), primary.getScore(), primary.getScoreError(),
                ProfiledRun.allocatedBytesPerOp(result));
        }
    }
}
