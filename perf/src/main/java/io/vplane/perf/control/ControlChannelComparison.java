package io.vplane.perf.control;

import io.vplane.vsock.control.AppliedJournal;
import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.control.ContainerAgent;
import io.vplane.vsock.control.ControlFrame;
import io.vplane.vsock.control.ControlService;
import io.vplane.vsock.control.ControlTransport;
import io.vplane.vsock.control.InMemoryRuntime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Commands per second and round-trip latency (submit to applied, p50 / p99) of the control channel
 * over TCP and a Unix socket, against two anchors on the same transport: a bare 64-byte echo round
 * trip served by socat in a process of its own ({@code socat TCP-LISTEN:PORT PIPE}, {@code socat
 * UNIX-LISTEN:PATH PIPE}), the real peer a channel would be compared with, and the same echo served
 * by a thread of this JVM (what the transport alone costs, as the channel's agent also runs in this
 * JVM). The difference is framing, authentication once, and the two synced journal records per
 * command, one each side. Speaks the side-by-side protocol (docs/benchmarks.md): {@code --sides};
 * {@code --side channel|socat|echo [--quick] [commands]} measures one side on both transports after
 * an unmeasured warm-up and prints {@code figure} lines; perf/bin/pairs interleaves the sides.
 * <pre>
 *   perf/bin/control-channel [--pairs N] [commands=500]
 * </pre>
 * The vsock-user transport needs a guest; it is measured by perf/bin/vsock-vs-socat's connect rate.
 */
public final class ControlChannelComparison
{
    private static final byte[] SECRET = "benchmark-secret-0123456789".getBytes();
    private static final String[] TRANSPORTS = {"tcp", "unix"};
    private static final int ECHO_BYTES = 64;

    private ControlChannelComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--sides".equals(args[0]))
        {
            System.out.println("channel\tsubject\tvplane control channel: command submitted, journalled and synced both sides, applied, acked");
            System.out.println("socat\tanchor\ta bare 64-byte echo round trip over the same transport, served by socat");
            System.out.println("echo\tanchor\ta bare 64-byte echo round trip over the same transport, served by a thread of the same JVM");
            return;
        }
        if (args.length < 2 || !"--side".equals(args[0]) || !List.of("channel", "socat", "echo").contains(args[1]))
        {
            System.err.println("usage: ControlChannelComparison --sides | --side channel|socat|echo [--quick] [commands]");
            System.exit(2);
        }
        final String side = args[1];
        final boolean quick = args.length > 2 && "--quick".equals(args[2]);
        final int first = quick ? 3 : 2;
        final int commands = args.length > first ? Integer.parseInt(args[first]) : quick ? 200 : 500;
        final Path dir = Files.createTempDirectory("control-channel");
        try
        {
            for (final String transport : TRANSPORTS)
            {
                // unmeasured: the JIT compiles the path first, in this JVM as in a long-running daemon
                round(side, dir.resolve(transport + "-warm-up"), transport, Math.max(50, commands / 4));
                final long[] latency = round(side, dir.resolve(transport), transport, commands);
                final double perSecond = commands * 1e9 / Arrays.stream(latency).sum();
                System.out.printf(Locale.ROOT, "figure\t%s\tround trips\t%.0f\tper s\thigher%n", transport, perSecond);
                System.out.printf(Locale.ROOT, "figure\t%s\tp50 latency\t%.1f\tus\tlower%n", transport, percentile(latency, 0.50) / 1e3);
                System.out.printf(Locale.ROOT, "figure\t%s\tp99 latency\t%.1f\tus\tlower%n", transport, percentile(latency, 0.99) / 1e3);
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    private static long[] round(final String side, final Path dir, final String transport, final int commands) throws Exception
    {
        return switch (side)
        {
            case "channel" -> channelRound(dir, transport, commands);
            case "socat" -> socatRound(dir, transport, commands);
            default -> echoRound(dir, transport, commands);
        };
    }

    /** Submit-to-applied latency of each command, one at a time, in ns. */
    private static long[] channelRound(final Path dir, final String transport, final int commands) throws Exception
    {
        Files.createDirectories(dir);
        final ServerSocketChannel server = listen(dir, transport);
        try (ContainerAgent agent = new ContainerAgent(server, SECRET, new InMemoryRuntime(), new AppliedJournal(dir.resolve("agent.journal")), 4).start();
             ControlService service = new ControlService(dir.resolve("host.journal"), Map.of("vm0", new ControlService.Vm(connect(dir, transport, server), SECRET))))
        {
            final long[] latency = new long[commands];
            for (int i = 0; i < commands; i++)
            {
                final long start = System.nanoTime();
                final long id = service.submit("vm0", ControlFrame.OP_SCALE, "web", i % 100).id();
                while (!service.command(id).state().finished())
                {
                    Thread.onSpinWait();
                }
                latency[i] = System.nanoTime() - start;
                if (service.command(id).state() != CommandJournal.State.APPLIED)
                {
                    throw new IllegalStateException("command " + id + " " + service.command(id));
                }
            }
            return latency;
        }
    }

    /** A bare 64-byte echo round trip over the same transport, served by a thread of this JVM, in ns. */
    private static long[] echoRound(final Path dir, final String transport, final int count) throws Exception
    {
        Files.createDirectories(dir);
        final ServerSocketChannel server = listen(dir, transport);
        final Thread echo = Thread.ofPlatform().daemon().start(() ->
        {
            try (SocketChannel peer = server.accept())
            {
                final ByteBuffer buffer = ByteBuffer.allocate(ECHO_BYTES);
                while (peer.read(buffer.clear()) > 0)
                {
                    buffer.flip();
                    while (buffer.hasRemaining())
                    {
                        peer.write(buffer);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the round ended
            }
        });
        try (ByteChannel client = connect(dir, transport, server).open())
        {
            return echoes(client, count);
        }
        finally
        {
            server.close();
            echo.join(2_000);
        }
    }

    /**
     * The same echo round trip served by socat, a process of its own, started for the round and
     * stopped (with everything it started) when the round ends.
     */
    private static long[] socatRound(final Path dir, final String transport, final int count) throws Exception
    {
        Files.createDirectories(dir);
        final Path socket = dir.resolve("echo.sock");
        final int port = "tcp".equals(transport) ? freePort() : 0;
        final String listen = "tcp".equals(transport) ? "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr" : "UNIX-LISTEN:" + socket;
        final Process socat = new ProcessBuilder("socat", listen, "PIPE").redirectErrorStream(true)
            .redirectOutput(dir.resolve("socat.log").toFile()).start();
        try (SocketChannel client = connectWhenListening(socat, transport, port, socket))
        {
            return echoes(client, count);
        }
        finally
        {
            socat.descendants().forEach(ProcessHandle::destroyForcibly);
            socat.destroyForcibly();
            socat.waitFor();
        }
    }

    /** {@code count} round trips of {@link #ECHO_BYTES} bytes on a connected echo, in ns each. */
    private static long[] echoes(final ByteChannel client, final int count) throws IOException
    {
        final long[] latency = new long[count];
        final ByteBuffer buffer = ByteBuffer.allocate(ECHO_BYTES);
        for (int i = 0; i < count; i++)
        {
            final long start = System.nanoTime();
            client.write(buffer.clear());
            buffer.clear();
            while (buffer.hasRemaining())
            {
                if (client.read(buffer) < 0)
                {
                    throw new IOException("the echo closed the connection");
                }
            }
            latency[i] = System.nanoTime() - start;
        }
        return latency;
    }

    /** Connects to socat once it listens (it binds a moment after it starts); fails if it exits first. */
    private static SocketChannel connectWhenListening(final Process socat, final String transport, final int port, final Path socket)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (true)
        {
            try
            {
                return "tcp".equals(transport) ? SocketChannel.open(new InetSocketAddress("127.0.0.1", port)) :
                    SocketChannel.open(UnixDomainSocketAddress.of(socket));
            }
            catch (final IOException ex)
            {
                if (!socat.isAlive() || System.nanoTime() - deadline > 0)
                {
                    throw new IOException("socat did not listen (" + (socat.isAlive() ? "timed out" : "exited " + socat.exitValue()) +
                        "): " + ex.getMessage(), ex);
                }
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocketChannel probe = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            return ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
    }

    private static ServerSocketChannel listen(final Path dir, final String transport) throws IOException
    {
        return "tcp".equals(transport) ? ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)) :
            ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
    }

    private static ControlTransport connect(final Path dir, final String transport, final ServerSocketChannel server) throws IOException
    {
        return "tcp".equals(transport) ?
            ControlTransport.tcp("127.0.0.1", ((InetSocketAddress)server.getLocalAddress()).getPort()) :
            ControlTransport.unix(dir.resolve("agent.sock"));
    }

    static double percentile(final long[] values, final double p)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int)Math.floor(p * sorted.length))];
    }
}
