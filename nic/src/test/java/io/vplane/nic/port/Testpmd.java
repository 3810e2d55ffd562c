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
    private java.io.Writer commands;

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
        return start(socket, vdevArgs, dir, 1, appArgs);
    }

    /**
     * @param mainLcore 1 (forwarding on core 0) or 0 (forwarding on core 1), so that two instances
     *                  on two cores forward on different cores
     */
    static Testpmd start(final Path socket, final String vdevArgs, final Path dir, final int mainLcore,
        final String... appArgs) throws IOException
    {
        if (!Files.isExecutable(BINARY))
        {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package dpdk");
        }
        final List<String> command = new ArrayList<>(List.of(
            "timeout", "-s", "KILL", "60", BINARY.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", Integer.toString(mainLcore),
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

    /**
     * Starts testpmd in interactive mode with its commands fed through standard input, and starts
     * forwarding; {@link #stopForwarding()} then stops it while the port stays open, so vplane can
     * drain the rings before the counts are compared.
     */
    static Testpmd startInteractive(final Path socket, final String vdevArgs, final Path dir, final int mainLcore,
        final String... appArgs) throws IOException
    {
        if (!Files.isExecutable(BINARY))
        {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package dpdk");
        }
        final List<String> command = new ArrayList<>(List.of(
            // unbuffered stdout: the totals of a stop must reach the file while testpmd still runs
            "timeout", "-s", "KILL", "90", "stdbuf", "-o0", BINARY.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", Integer.toString(mainLcore),
            "--file-prefix=vplane-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
            "--vdev", "net_virtio_user0,path=" + socket + vdevArgs,
            "--", "--total-num-mbufs=16384", "-i"));
        command.addAll(List.of(appArgs));
        final Path output = Files.createTempFile(dir, "testpmd", ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        final Testpmd testpmd = new Testpmd(process, output);
        testpmd.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        testpmd.command("start");
        return testpmd;
    }

    void command(final String line) throws IOException
    {
        commands.write(line + "\n");
        commands.flush();
    }

    /**
     * Interactive mode: stops forwarding (the port stays open) and waits for the totals it prints.
     *
     * @return the output so far, ending with the totals of this stop
     */
    String stopForwarding() throws IOException, InterruptedException
    {
        command("stop");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            final String text = output();
            if (text.contains("Accumulated forward statistics") && text.lastIndexOf("Done.") > text.lastIndexOf("Accumulated forward statistics"))
            {
                return text;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("testpmd did not stop forwarding; output:\n" + output());
    }

    /** Interactive mode: quits and waits for the exit. */
    String quit() throws IOException, InterruptedException
    {
        if (process.isAlive())
        {
            command("quit");
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        return output();
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
