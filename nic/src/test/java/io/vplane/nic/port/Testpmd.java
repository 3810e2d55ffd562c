package io.vplane.nic.port;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DPDK testpmd as a virtio-user frontend (the VM side) in a child process, driven through its
 * interactive prompt: {@link #launch} returns once its port has started (first prompt), so no
 * frame can reach it before {@link #start()}; {@link #stop()} stops forwarding with the port left
 * open and returns the totals of that run. Its output goes to a file (unbuffered).
 */
final class Testpmd implements AutoCloseable
{
    static final Path BINARY = Path.of("/usr/bin/dpdk-testpmd");
    private static final String PROMPT = "testpmd> ";
    private static final long COMMAND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Pattern RX_PACKETS = Pattern.compile("RX-packets:\\s+(\\d+)");
    private static final Pattern TX_PACKETS = Pattern.compile("TX-packets:\\s+(\\d+)");

    private final Process process;
    private final Path output;
    private final Writer commands;

    private Testpmd(final Process process, final Path output)
    {
        this.process = process;
        this.output = output;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
    }

    /**
     * Starts testpmd in interactive mode and waits for its prompt (EAL up, port started).
     *
     * @param vdevArgs  extra virtio-user arguments after {@code path=SOCK}, e.g. {@code ",queues=2"}
     * @param mainLcore 1 (forwarding on core 0) or 0 (forwarding on core 1), so that two instances
     *                  on two cores forward on different cores
     * @param appArgs   testpmd application arguments after {@code --}, e.g. the forward mode
     */
    static Testpmd launch(final Path socket, final String vdevArgs, final Path dir, final int mainLcore,
        final String... appArgs) throws IOException, InterruptedException
    {
        final Testpmd testpmd = spawn(socket, vdevArgs, dir, mainLcore, appArgs);
        testpmd.awaitPrompt();
        return testpmd;
    }

    /**
     * As {@link #launch} without waiting for the prompt: with {@code server=1} virtio-user waits
     * for the backend to connect before its port starts.
     */
    static Testpmd spawn(final Path socket, final String vdevArgs, final Path dir, final int mainLcore,
        final String... appArgs) throws IOException
    {
        return spawn(List.of("net_virtio_user0,path=" + socket + vdevArgs), dir, mainLcore, appArgs);
    }

    /**
     * As {@link #launch} with two virtio-user ports in one testpmd (port 0 on {@code socketA}, port 1
     * on {@code socketB}), as one process holding two VMs' drivers: testpmd's io forwarding then
     * sends what port 1 receives out of port 0 and the other way round.
     */
    static Testpmd launchTwoPorts(final Path socketA, final String vdevArgsA, final Path socketB, final String vdevArgsB,
        final Path dir, final int mainLcore, final String... appArgs) throws IOException, InterruptedException
    {
        final Testpmd testpmd = spawn(List.of("net_virtio_user0,path=" + socketA + vdevArgsA,
            "net_virtio_user1,path=" + socketB + vdevArgsB), dir, mainLcore, appArgs);
        testpmd.awaitPrompt();
        return testpmd;
    }

    private static Testpmd spawn(final List<String> vdevs, final Path dir, final int mainLcore, final String... appArgs)
        throws IOException
    {
        if (!Files.isExecutable(BINARY))
        {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package dpdk");
        }
        final List<String> command = new ArrayList<>(List.of(
            // unbuffered stdout: the totals of a stop reach the file while testpmd still runs
            "timeout", "-s", "KILL", "120", "stdbuf", "-o0", BINARY.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", Integer.toString(mainLcore),
            "--file-prefix=vplane-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        for (final String vdev : vdevs)
        {
            command.addAll(List.of("--vdev", vdev));
        }
        command.addAll(List.of("--", "--total-num-mbufs=16384", "-i"));
        command.addAll(List.of(appArgs));
        final Path output = Files.createTempFile(dir, "testpmd", ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        return new Testpmd(process, output);
    }

    /** Waits for the first prompt: EAL up and the port started. */
    void awaitPrompt() throws IOException, InterruptedException
    {
        awaitOutput(0, text -> text.contains(PROMPT), "its prompt");
    }

    /** Starts forwarding and waits until testpmd confirmed it. */
    void start() throws IOException, InterruptedException
    {
        run("start");
    }

    /** Starts forwarding after one burst sent first (io mode primes a loop with it). */
    void startTxFirst() throws IOException, InterruptedException
    {
        run("start tx_first");
    }

    /** Starts forwarding after {@code bursts} bursts sent first on every port (a PVP loop's frames). */
    void startTxFirst(final int bursts) throws IOException, InterruptedException
    {
        run("start tx_first " + bursts);
    }

    /**
     * Stops forwarding; the port stays open. testpmd's forwarding core finishes the burst it is in
     * (a received burst is still transmitted) before the totals are taken.
     *
     * @return the totals of the forwarding run just stopped
     */
    Stats stop() throws IOException, InterruptedException
    {
        final int from = output().length();
        command("stop");
        final String text = awaitOutput(from, tail ->
        {
            final int stats = tail.lastIndexOf("Accumulated forward statistics");
            return stats >= 0 && tail.indexOf("Done.", stats) > 0;
        }, "the totals of a stop");
        return new Stats(text.substring(from));
    }

    /** Quits (closing the port) and waits for the exit; kills it if it does not. */
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

    String output() throws IOException
    {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    private void run(final String line) throws IOException, InterruptedException
    {
        final int prompts = count(output(), PROMPT);
        command(line);
        awaitOutput(0, text -> count(text, PROMPT) > prompts, "the prompt after '" + line + "'");
    }

    private void command(final String line) throws IOException
    {
        commands.write(line + "\n");
        commands.flush();
    }

    private String awaitOutput(final int from, final java.util.function.Predicate<String> done, final String what)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + COMMAND_TIMEOUT_NS;
        while (true)
        {
            final String text = output();
            if (done.test(text.length() > from ? text.substring(from) : ""))
            {
                return text;
            }
            if (!process.isAlive() || System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("testpmd did not print " + what + (process.isAlive() ? "" : " (it exited)") +
                    "; output:\n" + text + threadStacks());
            }
            Thread.sleep(20);
        }
    }

    /** Where a stuck testpmd is: every thread's stack, when gdb is installed (diagnostics only). */
    private String threadStacks()
    {
        final Path gdb = Path.of("/usr/bin/gdb");
        if (!process.isAlive() || !Files.isExecutable(gdb))
        {
            return "";
        }
        final StringBuilder text = new StringBuilder();
        for (final ProcessHandle child : process.descendants().toList())
        {
            try
            {
                final Process trace = new ProcessBuilder("timeout", "-s", "KILL", "30", gdb.toString(), "-p",
                    Long.toString(child.pid()), "-batch", "-ex", "thread apply all bt").redirectErrorStream(true).start();
                final String stacks = new String(trace.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                trace.waitFor(30, TimeUnit.SECONDS);
                text.append("\nthreads of pid ").append(child.pid()).append(":\n")
                    .append(stacks, 0, Math.min(stacks.length(), 20_000));
            }
            catch (final IOException | InterruptedException ex)
            {
                text.append("\ngdb failed: ").append(ex);
            }
        }
        return text.toString();
    }

    private static int count(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length()))
        {
            count++;
        }
        return count;
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

    /** What one {@code stop} printed: the accumulated totals come last. */
    record Stats(String text)
    {
        long rxPackets()
        {
            return last(RX_PACKETS, text);
        }

        long txPackets()
        {
            return last(TX_PACKETS, text);
        }

        /** RX-packets of port {@code port} in the totals of the run (its own forward statistics). */
        long portRxPackets(final int port)
        {
            return last(Pattern.compile("Forward statistics for port " + port + " [^\\n]*\\n\\s*RX-packets:\\s+(\\d+)"), text);
        }

        /** TX-packets of port {@code port} in the totals of the run. */
        long portTxPackets(final int port)
        {
            return last(Pattern.compile("Forward statistics for port " + port + " [^\\n]*\\n[^\\n]*\\n\\s*TX-packets:\\s+(\\d+)"), text);
        }

        /** TX-dropped of port {@code port}: frames its transmit ring had no room for. */
        long portTxDropped(final int port)
        {
            return last(Pattern.compile("Forward statistics for port " + port + " [^\\n]*\\n[^\\n]*\\n\\s*TX-packets:\\s+\\d+\\s+TX-dropped:\\s+(\\d+)"), text);
        }

        /** RX-packets of the forward stream of receive queue {@code queue}. */
        long streamRxPackets(final int queue)
        {
            return last(Pattern.compile("RX Port= *0/Queue= *" + queue + " .*?\\n\\s*RX-packets:\\s+(\\d+)"), text);
        }

        private static long last(final Pattern pattern, final String text)
        {
            final Matcher matcher = pattern.matcher(text);
            long value = -1;
            while (matcher.find())
            {
                value = Long.parseLong(matcher.group(1));
            }
            return value;
        }
    }
}
