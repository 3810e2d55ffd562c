package io.vplane.blockstore.interop;

import io.vplane.blockstore.management.DaemonFixture;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the online-conversion interop tests share: the fio job that writes during it, waiting for the end, the expected image. */
final class ConversionChecks
{
    private ConversionChecks()
    {
    }

    /**
     * fio's nbd engine writing 4k blocks at QD8 with crc32c in {@code [offset, offset + bytes)} of
     * the export, paced to 4 MiB/s and verifying as it goes; or, with {@code verifyOnly}, reading
     * the same blocks back and checking them.
     */
    static String[] fioJob(final String uri, final long offset, final long bytes, final boolean verifyOnly)
    {
        final List<String> job = new ArrayList<>(List.of("fio", "--name=convert", "--ioengine=nbd", "--uri=" + uri,
            "--rw=randwrite", "--bs=4k", "--iodepth=8", "--offset=" + offset, "--size=" + bytes, "--verify=crc32c",
            "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--randseed=18", "--output-format=normal"));
        if (verifyOnly)
        {
            job.add("--verify_only=1");
        }
        else
        {
            job.add("--rate=4m");
            job.add("--verify_backlog=64");
        }
        return job.toArray(String[]::new);
    }

    static String status(final DaemonFixture daemon, final String disk)
    {
        return daemon.api.get("/disk/convert/status?name=" + disk);
    }

    /** Waits up to {@code seconds} for the conversion to end and requires it to be done. */
    static void awaitDone(final DaemonFixture daemon, final String disk, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline)
        {
            last = status(daemon, disk);
            if ("done".equals(state(last)) || "failed".equals(state(last)))
            {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(state(last)).as(last).isEqualTo("done");
    }

    static String state(final String progress)
    {
        final Matcher m = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"").matcher(progress);
        assertThat(m.find()).as(progress).isTrue();
        return m.group(1);
    }

    /** Copies {@code [offset, offset + length)} of {@code from} over the same range of {@code into}. */
    static void overlay(final Path from, final Path into, final long offset, final long length) throws IOException
    {
        try (RandomAccessFile source = new RandomAccessFile(from.toFile(), "r");
            RandomAccessFile target = new RandomAccessFile(into.toFile(), "rw"))
        {
            final byte[] bytes = new byte[(int)length];
            source.seek(offset);
            source.readFully(bytes);
            target.seek(offset);
            target.write(bytes);
        }
    }

    /** Sum of the Prometheus samples whose line starts with {@code prefix} (a regex). */
    static long number(final String metrics, final String prefix)
    {
        final Matcher m = Pattern.compile("(?m)^" + prefix + "[^}]*} (\\d+)").matcher(metrics);
        long sum = 0;
        while (m.find())
        {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
