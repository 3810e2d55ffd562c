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
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Commands per second and round-trip latency (submit to applied, p50 / p99) of the control channel
 * over TCP and a Unix socket, each against its anchor: a bare 64-byte echo round trip over the same
 * transport (what the transport alone costs; the difference is framing, authentication once, and
 * the two synced journal records per command, one each side). Rounds alternate channel and
 * anchor; the table shows each
 * side's median over the rounds and the median ratio of the per-round latencies with its range.
 * <pre>
 *   perf/bin/control-channel [rounds=5] [commands=500]
 * </pre>
 * The vsock-user transport needs a guest; it is measured by perf/bin/vsock-vs-socat's connect rate.
 */
public final class ControlChannelComparison
{
    private static final byte[] SECRET = "benchmark-secret-0123456789".getBytes();

    private ControlChannelComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int commands = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        final Path dir = Files.createTempDirectory("control-channel");
        System.out.printf("control channel: %d rounds of %d commands per transport, journals in %s%n", rounds, commands, dir);
        System.out.printf("%-6s %12s %10s %10s %12s %10s %8s %s%n", "", "commands/s", "p50 us", "p99 us", "echo/s", "echo p50", "ratio", "range");
        for (final String transport : new String[] {"tcp", "unix"})
        {
            final double[] rate = new double[rounds];
            final double[] p50 = new double[rounds];
            final double[] p99 = new double[rounds];
            final double[] echoRate = new double[rounds];
            final double[] echoP50 = new double[rounds];
            final double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                final long[] channel = channelRound(dir.resolve(transport + "-" + r), transport, commands);
                final long[] echo = echoRound(dir.resolve(transport + "-echo-" + r), transport, commands);
                rate[r] = commands * 1e9 / Arrays.stream(channel).sum();
                echoRate[r] = commands * 1e9 / Arrays.stream(echo).sum();
                p50[r] = percentile(channel, 0.50) / 1e3;
                p99[r] = percentile(channel, 0.99) / 1e3;
                echoP50[r] = percentile(echo, 0.50) / 1e3;
                ratio[r] = p50[r] / echoP50[r];
            }
            Arrays.sort(ratio);
            System.out.printf("%-6s %12.0f %10.1f %10.1f %12.0f %10.1f %8.1f %.1f..%.1f%n", transport, median(rate), median(p50),
                median(p99), median(echoRate), median(echoP50), median(ratio), ratio[0], ratio[rounds - 1]);
        }
        System.out.println("ratio: channel p50 / echo p50 per round (each command: one synced journal record on the host, one on the agent)");
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

    /** A bare 64-byte echo round trip over the same transport, in ns. */
    private static long[] echoRound(final Path dir, final String transport, final int count) throws Exception
    {
        Files.createDirectories(dir);
        final ServerSocketChannel server = listen(dir, transport);
        final Thread echo = Thread.ofPlatform().daemon().start(() ->
        {
            try (SocketChannel peer = server.accept())
            {
                final ByteBuffer buffer = ByteBuffer.allocate(64);
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
        final long[] latency = new long[count];
        try (SocketChannel client = connect(dir, transport, server).open())
        {
            final ByteBuffer buffer = ByteBuffer.allocate(64);
            for (int i = 0; i < count; i++)
            {
                final long start = System.nanoTime();
                client.write(buffer.clear());
                buffer.clear();
                while (buffer.hasRemaining())
                {
                    client.read(buffer);
                }
                latency[i] = System.nanoTime() - start;
            }
        }
        server.close();
        echo.join(2_000);
        return latency;
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

    private static double percentile(final long[] values, final double p)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int)Math.floor(p * sorted.length))];
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
