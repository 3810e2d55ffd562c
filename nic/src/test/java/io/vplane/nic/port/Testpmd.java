package io.vplane.nic.port;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DPDK testpmd as a virtio-user frontend (the VM side) in a child process, with its output in a
 * file; stopped with SIGINT so that it prints its accumulated port statistics.
 */
final class Testpmd implements AutoCloseable
{
    static final Path BINARY = Path.of("/usr/bin/dpdk-testpmd");
    private static final Pattern RX_PACKETS = Pattern.compile("RX-packets:\\s+(\\d+)");
    private static final Pattern TX_PACKETS = Pattern.compile("TX-packets:\\s+(\\d+)");

    private final Process process;
    private final Path output;

    private Testpmd(final Process process, final Path output)
    {
        this.process = process;
        this.output = output;
    }

    /**
     * @param vdevArgs  extra virtio-user arguments after {@code path=SOCK}, e.g. {@code ",queues=1"}
     * @param appArgs   testpmd application arguments after {@code --}
     */
    static Testpmd start(final Path socket, final String vdevArgs, final Path dir, final String... appArgs) throws IOException
    {
        if (!Files.isExecutable(BINARY))
        {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package dpdk");
        }
        final List<String> command = new ArrayList<>(List.of(
            "timeout", "-s", "KILL", "60", BINARY.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", "1",
            "--file-prefix=vplane-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
            "--vdev", "net_virtio_user0,path=" + socket + vdevArgs,
            "--", "--total-num-mbufs=16384", "-a", "--stats-period=1"));
        command.addAll(List.of(appArgs));
        final Path output = Files.createTempFile(dir, "testpmd", ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        return new Testpmd(process, output);
    }

    /** Sends SIGINT (testpmd stops forwarding and prints its totals) and waits for the exit. */
    String stop() throws IOException, InterruptedException
    {
        if (process.isAlive())
        {
            // timeout(1) forwards the signal to testpmd
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        return output();
    }

    String output() throws IOException
    {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** Accumulated RX-packets of the final statistics (the last match in the output). */
    static long lastRxPackets(final String output)
    {
        return last(RX_PACKETS, output);
    }

    static long lastTxPackets(final String output)
    {
        return last(TX_PACKETS, output);
    }

    private static long last(final Pattern pattern, final String text)
    {
        final int end = text.lastIndexOf("Done.") > 0 ? text.length() : text.length();
        final Matcher matcher = pattern.matcher(text.substring(0, end));
        long value = -1;
        while (matcher.find())
        {
            value = Long.parseLong(matcher.group(1));
        }
        return value;
    }

    @Override
    public void close() throws Exception
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
