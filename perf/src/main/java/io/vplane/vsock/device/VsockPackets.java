package io.vplane.vsock.device;

import io.vplane.perf.jmh.ProfiledRun;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs {@link VsockPacketBenchmark} with the GC profiler and prints, per round trip of one RW packet
 * each way, the time and the bytes allocated in the whole JVM (the goal is none).
 * Arguments: {@code [iterations] [secondsPerIteration]}.
 */
public final class VsockPackets
{
    private VsockPackets()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Collection<RunResult> results = ProfiledRun.run(VsockPacketBenchmark.class, args);
        System.out.println();
        System.out.println("vsock stream round trip: guest RW -> host socket -> echo -> guest rx buffers, one thread");
        System.out.printf(Locale.ROOT, "%-10s %10s %14s %12s %18s%n", "case", "payload", "ns/round trip", "± error",
            "alloc B/round trip");
        for (final RunResult result : results)
        {
            final Result<?> primary = result.getPrimaryResult();
            System.out.printf(Locale.ROOT, "%-10s %10s %14.0f %12.0f %18.1f%n", ProfiledRun.method(result),
                result.getParams().getParam("payloadBytes"), primary.getScore(), primary.getScoreError(),
                ProfiledRun.allocatedBytesPerOp(result));
        }
    }
}
