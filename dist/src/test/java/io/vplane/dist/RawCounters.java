package io.vplane.dist;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A daemon's counters as {@code vplane stat --raw} lists them, polled until they say what a test waits for. */
final class RawCounters
{
    private RawCounters()
    {
    }

    /**
     * Waits (at most 90 s) until the counters {@code counter} picks (group 1: the value) add up to a value
     * {@code done} accepts, and returns it.
     */
    static long await(final Path workDir, final Path runDir, final Pattern counter, final LongPredicate done,
        final Supplier<String> context) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true)
        {
            final VplaneProcess.Result raw = VplaneProcess.run(workDir, "stat", "--raw", "--run-dir", runDir.toString());
            long sum = 0;
            boolean found = false;
            final Matcher matcher = counter.matcher(raw.output());
            while (matcher.find())
            {
                sum += Long.parseLong(matcher.group(1));
                found = true;
            }
            if (found && done.test(sum))
            {
                return sum;
            }
            assertThat(System.nanoTime() - deadline).as("%s stayed at %d:%n%s%n%s", counter, sum, raw.output(), context.get())
                .isNegative();
            Thread.sleep(300);
        }
    }
}
