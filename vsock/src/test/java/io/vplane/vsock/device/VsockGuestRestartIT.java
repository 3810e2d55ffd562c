package io.vplane.vsock.device;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.vsock.control.AgentLink;
import io.vplane.vsock.control.AppliedJournal;
import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.control.ContainerAgent;
import io.vplane.vsock.control.ContainerRuntime;
import io.vplane.vsock.control.ControlFrame;
import io.vplane.vsock.control.ControlService;
import io.vplane.vsock.control.InMemoryRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults of a real Linux guest (QEMU 7.2 {@code vhost-user-vsock-pci}, the guest kernel's own
 * driver) against vplane's vsock device and the control channel through it:
 * <ol>
 * <li>the guest frozen (QEMU stopped): a host {@code CONNECT} gets no answer, and after the
 *     device's {@code connectTimeoutMs} its socket is closed with no {@code OK};</li>
 * <li>the guest killed with a stream open and a control command waiting for its result (the
 *     agent is in the middle of applying it): the host program reads end of stream, the device
 *     counts the dropped stream, the link says why the command waits rather than hanging;</li>
 * <li>a new guest on the same vhost-user socket (a new session): a new stream works, the link
 *     reconnects, the waiting command is sent again and the agent answers it from its journal:
 *     applied once, in order with the next one.</li>
 * </ol>
 * The guest cache is built before the timed test; the test itself is bounded to 60 s.
 */
class VsockGuestRestartIT
{
    private static final String SECRET = "vm0-shared-secret-for-the-test";
    private static final String GUEST = String.join("\n",
        "socat VSOCK-LISTEN:1234,fork EXEC:cat &",
        "socat VSOCK-LISTEN:7000,fork VSOCK-CONNECT:2:7001 &",
        "sleep 1; echo GUEST-READY",
        "sleep 120");

    @TempDir
    Path dir;

    private Engine engine;
    private QemuGuest guest;

    @BeforeAll
    static void buildGuest() throws IOException, InterruptedException
    {
        QemuGuest.buildCache();
    }

    @AfterEach
    void tearDown()
    {
        if (null != guest)
        {
            guest.close();
        }
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldResetStreamsWhenTheGuestDiesAndServeTheGuestThatComesBack() throws Exception
    {
        final Counters counters = Counters.inMemory(2048);
        Files.writeString(dir.resolve("vm0.secret"), SECRET);
        Files.setPosixFilePermissions(dir.resolve("vm0.secret"), PosixFilePermissions.fromString("rw-------"));
        final String yaml = """
            daemon: {socketDir: '%s', stateDir: '%s'}
            devices:
              vsock:
                - {name: vs0, socketPath: vs0.sock, udsPath: vs0.vsock, guestCid: 3, connectTimeoutMs: 2000}
            control:
              answerTimeoutMs: 60000
              vms:
                - {name: vm0, transport: vsock-user, device: vs0, port: 7000, secretFile: vm0.secret}
            """.formatted(dir, dir);
        engine = new Engine(DeviceKinds.load().parse(yaml, "it.yaml"), counters, new ErrorLog(counters));
        final VsockDevice device = (VsockDevice)engine.device("vs0");
        final VsockCounters vsock = device.counters();
        final Path uds = dir.resolve("vs0.vsock");
        final ControlService control = ((ControlDevice)engine.device(ControlDeviceProvider.NAME)).service();
        final AgentLink link = control.links().get("vm0");
        final GatedRuntime runtime = new GatedRuntime("slow");

        try (ContainerAgent agent = new ContainerAgent(
            ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(uds + "_7001")),
            SECRET.getBytes(StandardCharsets.UTF_8), runtime, new AppliedJournal(dir.resolve("agent.journal")), 4).start())
        {
            guest = new QemuGuest(dir.resolve("vs0.sock"), GUEST);
            guest.await("GUEST-READY", 40);
            final SocketChannel open = SocketChannel.open(UnixDomainSocketAddress.of(uds));
            assertThat(handshake(open, 1234)).startsWith("OK ");
            assertThat(echo(open, "before\n")).isEqualTo("before\n");
            control.submit("vm0", ControlFrame.OP_SCALE, "web", 3);
            await(() -> finished(control, 1), "the first command applied through the first guest", 20);

            // 1. a frozen guest never answers the REQUEST: Firecracker's 2 s, then closed without OK
            guest.signalQemu("STOP");
            final long asked = System.nanoTime();
            try (SocketChannel unanswered = SocketChannel.open(UnixDomainSocketAddress.of(uds)))
            {
                assertThat(handshake(unanswered, 1234)).as("closed with no OK line").isEmpty();
            }
            final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            assertThat(waitedMs).as("the device's connectTimeoutMs").isBetween(1_500L, 10_000L);
            assertThat(vsock.requestTimeouts.get()).isEqualTo(1);
            guest.signalQemu("CONT");

            // 2. the guest dies with a stream open and a command in the middle of being applied
            final long id = control.submit("vm0", ControlFrame.OP_SCALE, "slow", 2).id();
            assertThat(runtime.entered.await(20, TimeUnit.SECONDS)).as("the agent is applying the command").isTrue();
            guest.qemu().destroyForcibly();
            assertThat(endOfStream(open)).as("the host program sees the stream end").isTrue();
            open.close();
            await(() -> device.streams() == 0, "every stream of the dead guest closed", 10);
            assertThat(vsock.streamsDropped.get()).as("the open echo stream and the control relay's two").isGreaterThanOrEqualTo(3);
            await(() -> control.command(id).reason().contains("link failed while waiting for the result"),
                "the waiting command says why", 10);
            assertThat(link.lastError()).isNotEmpty();
            assertThat(control.command(id).state().finished()).isFalse();
            runtime.release.countDown();
            guest.close();

            // 3. a new guest on the same socket: a new session, new streams, the command sent again and applied once
            guest = new QemuGuest(dir.resolve("vs0.sock"), GUEST);
            guest.await("GUEST-READY", 40);
            assertThat(vsock.vhostConnections.get()).as("QEMU reconnected").isEqualTo(2);
            try (SocketChannel again = SocketChannel.open(UnixDomainSocketAddress.of(uds)))
            {
                assertThat(handshake(again, 1234)).startsWith("OK ");
                assertThat(echo(again, "after\n")).isEqualTo("after\n");
            }
            control.submit("vm0", ControlFrame.OP_SCALE, "web", 1);
            await(() -> finished(control, 3), "every command has a result through the new guest", 30);
            assertThat(control.commands()).extracting(CommandJournal.Entry::state).containsOnly(CommandJournal.State.APPLIED);
            assertThat(runtime.applied()).as("each once, in order").containsExactly("scale web 3", "scale slow 2", "scale web 1");
            assertThat(link.lastError()).isEmpty();
        }
        assertThat(vsock.badPackets.get()).isZero();
        assertThat(vsock.ringErrors.get()).isZero();
        assertThat(vsock.protocolErrors.get()).isZero();
    }

    private static boolean finished(final ControlService control, final int commands)
    {
        return control.commands().size() == commands && control.commands().stream().allMatch(c -> c.state().finished());
    }

    private static void await(final BooleanSupplier done, final String what, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("waiting until " + what).isNegative();
            Thread.sleep(20);
        }
    }

    /** Sends {@code CONNECT port} and reads the answer line byte by byte; empty when the socket closed first. */
    private static String handshake(final SocketChannel host, final int port) throws IOException
    {
        host.write(ByteBuffer.wrap(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII)));
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final ByteBuffer one = ByteBuffer.allocate(1);
        while (host.read(one.clear()) > 0 && one.get(0) != '\n')
        {
            line.write(one.get(0));
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String echo(final SocketChannel channel, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        channel.write(ByteBuffer.wrap(bytes));
        final ByteBuffer back = ByteBuffer.allocate(bytes.length);
        while (back.hasRemaining() && channel.read(back) > 0)
        {
            // until the echo is whole
        }
        return new String(back.array(), 0, back.position(), StandardCharsets.US_ASCII);
    }

    /** End of stream, or a reset. */
    private static boolean endOfStream(final SocketChannel channel) throws IOException
    {
        try
        {
            return channel.read(ByteBuffer.allocate(64)) == -1;
        }
        catch (final java.net.SocketException reset)
        {
            return true;
        }
    }

    /** Records like the in-memory runtime, but holds the first operation on {@code gated} until released. */
    private static final class GatedRuntime implements ContainerRuntime
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final InMemoryRuntime applied = new InMemoryRuntime();
        private final String gated;

        GatedRuntime(final String gated)
        {
            this.gated = gated;
        }

        @Override
        public void scale(final String target, final long count)
        {
            if (gated.equals(target))
            {
                entered.countDown();
                try
                {
                    release.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            applied.scale(target, count);
        }

        @Override
        public void memory(final String target, final long bytes)
        {
            applied.memory(target, bytes);
        }

        @Override
        public void storage(final String target, final long bytes)
        {
            applied.storage(target, bytes);
        }

        java.util.List<String> applied()
        {
            return applied.applied();
        }
    }
}
