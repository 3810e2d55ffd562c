package io.vplane.perf.pvp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code dpdk-testpmd} driven at its interactive prompt: commands go to its standard input, its
 * output (unbuffered through {@code stdbuf}) to a log file this class reads.
 */
final class InteractiveTestpmd
{
    static final String BINARY = System.getenv().getOrDefault("TESTPMD", "/usr/bin/dpdk-testpmd");
    private static final Pattern PORT_BLOCK = Pattern.compile("NIC statistics for port (\\d+)");
    private static final Pattern RX_PACKETS = Pattern.compile("RX-packets: *(\\d+)");
    private static final Pattern TX_PACKETS = Pattern.compile("TX-packets: *(\\d+)");

    private final Process process;
    private final Path log;
    private final OutputStream stdin;

    private InteractiveTestpmd(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
        this.stdin = process.getOutputStream();
    }

    /**
     * Starts testpmd at its prompt.
     *
     * @param eal  EAL arguments (cores, vdevs, memory)
     * @param app  application arguments after {@code --} ({@code -i} is added)
     */
    static InteractiveTestpmd start(final PeerProcesses peers, final Path log, final List<String> eal, final List<String> app)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("stdbuf", "-o0", "-e0", BINARY));
        command.addAll(eal);
        command.add("--");
        command.addAll(app);
        command.add("-i");
        return new InteractiveTestpmd(peers.start(command, log, true), log);
    }

    Process process()
    {
        return process;
    }

    Path log()
    {
        return log;
    }

    String output() throws IOException
    {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    void send(final String command) throws IOException
    {
        stdin.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /** Asks testpmd to stop and quit, if it still runs (on an exit path: a closed pipe is no error). */
    void quit()
    {
        try
        {
            if (process.isAlive())
            {
                send("stop");
                send("quit");
            }
        }
        catch (final IOException ex)
        {
            // it is gone already
        }
    }

    /** Waits until the output after {@code from} holds {@code count} times {@code text}; false on timeout or exit. */
    boolean await(final String text, final int count, final int from, final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            final String out = output();
            if (occurrences(out, text, Math.min(from, out.length())) >= count)
            {
                return true;
            }
            if (!process.isAlive())
            {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    boolean awaitPrompt(final long timeoutMs) throws IOException, InterruptedException
    {
        return await("testpmd>", 1, 0, timeoutMs);
    }

    /** Waits until both ports' links are up (a listening virtio-user port: once its backend connected). */
    boolean awaitLinksUp(final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            final int from = output().length();
            send("show port info all");
            if (!await("Link status:", 2, from, 5000))
            {
                return false;
            }
            if (occurrences(output(), "Link status: up", from) >= 2)
            {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /**
     * Reads both ports' accumulated counters ({@code show port stats all}).
     *
     * @return {RX port 0, TX port 0, RX port 1, TX port 1}, or null when testpmd did not answer
     */
    long[] portCounters() throws IOException, InterruptedException
    {
        final int from = output().length();
        send("show port stats all");
        if (!await("Tx-bps:", 2, from, 5000))
        {
            return null;
        }
        final String out = output().substring(from);
        final long[] counters = new long[4];
        final Matcher block = PORT_BLOCK.matcher(out);
        while (block.find())
        {
            final int port = Integer.parseInt(block.group(1));
            if (port > 1)
            {
                continue;
            }
            final Matcher rx = RX_PACKETS.matcher(out);
            final Matcher tx = TX_PACKETS.matcher(out);
            if (rx.find(block.end()) && tx.find(block.end()))
            {
                counters[2 * port] = Long.parseLong(rx.group(1));
                counters[2 * port + 1] = Long.parseLong(tx.group(1));
            }
        }
        return counters;
    }

    private static int occurrences(final String text, final String what, final int from)
    {
        int n = 0;
        for (int at = text.indexOf(what, from); at >= 0; at = text.indexOf(what, at + what.length()))
        {
            n++;
        }
        return n;
    }
}
