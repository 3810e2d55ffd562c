package io.vplane.vsock.device;

import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * vplane's vsock device against a real driver: QEMU 7.2's {@code vhost-user-vsock-pci} and the
 * guest kernel's {@code vmw_vsock_virtio_transport}, with socat on both sides. Host to guest: a
 * host program connects to the hybrid socket ({@code CONNECT 1234}) and 256 KiB of random bytes
 * go through the guest's {@code socat VSOCK-LISTEN:1234 EXEC:cat} and back, compared byte for
 * byte. Guest to host: {@code socat VSOCK-CONNECT:2:5000} in the guest reaches the program
 * listening on {@code udsPath_5000}, and its answer comes back to the guest. Control channel: the
 * daemon's {@code control} section names the VM with transport {@code vsock-user}; its commands go
 * through the vsock device to guest port 7000, where the guest's socat relays them back over vsock
 * to host port 7001, where the agent listens ({@code udsPath_7001}): a JDK does not fit the guest's
 * initramfs, so the agent runs on the host behind the guest's relay, and every byte of the channel
 * still crosses the guest's virtio-vsock driver twice.
 */
class VsockQemuIT
{
    private static final int ECHO_BYTES = 256 * 1024;
    private static final String SECRET = "vm0-shared-secret-for-the-test";

    @TempDir
    Path dir;

    private Engine engine;
    private QemuGuest guest;

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
    void shouldCarryStreamsAndControlCommandsBetweenTheHostAndALinuxGuest() throws Exception
    {
        final Counters counters = Counters.inMemory(2048);
        java.nio.file.Files.writeString(dir.resolve("vm0.secret"), SECRET);
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("vm0.secret"),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        final String yaml = """
            daemon: {socketDir: '%s', stateDir: '%s'}
            devices:
              vsock:
                - {name: vs0, socketPath: vs0.sock, udsPath: vs0.vsock, guestCid: 3}
            control:
              vms:
                - {name: vm0, transport: vsock-user, device: vs0, port: 7000, secretFile: vm0.secret}
            """.formatted(dir, dir);
        engine = new Engine(DeviceKinds.load().parse(yaml, "it.yaml"), counters, new ErrorLog(counters));
        final VsockDevice device = (VsockDevice)engine.device("vs0");
        final Path uds = dir.resolve("vs0.vsock");

        final io.vplane.vsock.control.InMemoryRuntime runtime = new io.vplane.vsock.control.InMemoryRuntime();
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             io.vplane.vsock.control.ContainerAgent agent = new io.vplane.vsock.control.ContainerAgent(
                 ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(uds + "_7001")),
                 SECRET.getBytes(StandardCharsets.UTF_8), runtime,
                 new io.vplane.vsock.control.AppliedJournal(dir.resolve("agent.journal")), 4).start())
        {
            listener.bind(UnixDomainSocketAddress.of(uds + "_5000"));
            final CompletableFuture<String> fromGuest = CompletableFuture.supplyAsync(() -> answerOnce(listener));

            guest = new QemuGuest(dir.resolve("vs0.sock"), String.join("\n",
                "socat VSOCK-LISTEN:1234,fork EXEC:cat &",
                "socat -u VSOCK-LISTEN:1235 CREATE:/tmp/done &",
                "socat VSOCK-LISTEN:7000,fork VSOCK-CONNECT:2:7001 &",
                "sleep 1; echo GUEST-READY",
                "echo hello-from-guest | socat -t 5 - VSOCK-CONNECT:2:5000 | sed 's/^/REPLY: /'",
                "i=0; while [ ! -s /tmp/done ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i+1)); done",
                "cat /tmp/done"));
            guest.await("GUEST-READY", 120);
            assertThat(guest.await("REPLY:", 60)).endsWith("REPLY: hello-from-host");
            assertThat(fromGuest.get(10, TimeUnit.SECONDS)).isEqualTo("hello-from-guest\n");

            final byte[] sent = new byte[ECHO_BYTES];
            new Random(19).nextBytes(sent);
            try (SocketChannel host = SocketChannel.open(UnixDomainSocketAddress.of(uds)))
            {
                assertThat(handshake(host, 1234)).startsWith("OK ");
                final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeAll(host, sent));
                final byte[] echoed = readExactly(host, ECHO_BYTES);
                writer.get(10, TimeUnit.SECONDS);
                assertThat(echoed).as("the guest's echo of 256 KiB").isEqualTo(sent);
            }
            final io.vplane.vsock.control.ControlService control = ((ControlDevice)engine.device(ControlDeviceProvider.NAME)).service();
            control.submit("vm0", io.vplane.vsock.control.ControlFrame.OP_SCALE, "web", 3);
            control.submit("vm0", io.vplane.vsock.control.ControlFrame.OP_MEMORY, "web", 256L << 20);
            control.submit("vm0", io.vplane.vsock.control.ControlFrame.OP_SCALE, "web", 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!control.commands().stream().allMatch(c -> c.state().finished()) && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertThat(runtime.applied()).as("through the guest and back, each once, in order")
                .containsExactly("scale web 3", "memory web 268435456", "scale web 1");
            assertThat(agent.counters()[0]).as("applied by the agent").isEqualTo(3);
            try (SocketChannel host = SocketChannel.open(UnixDomainSocketAddress.of(uds)))
            {
                assertThat(handshake(host, 1235)).startsWith("OK ");
                writeAll(host, "done\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(guest.awaitExit(60)).as("guest command status; console:\n%s", guest.console()).isZero();
        }
        final VsockCounters vsock = device.counters();
        assertThat(vsock.fromGuestBytes.get()).isGreaterThanOrEqualTo(ECHO_BYTES + 17);
        assertThat(vsock.toGuestBytes.get()).isGreaterThanOrEqualTo(ECHO_BYTES + 16);
        assertThat(vsock.streamsOpened.get()).as("echo, reply, done, and the relay's two").isGreaterThanOrEqualTo(5);
        assertThat(vsock.badPackets.get()).isZero();
        assertThat(vsock.ringErrors.get()).isZero();
        assertThat(vsock.protocolErrors.get()).isZero();
    }

    /** Sends {@code CONNECT port} and reads the answer line byte by byte (no over-read). */
    private static String handshake(final SocketChannel host, final int port) throws IOException
    {
        writeAll(host, ("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII));
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final ByteBuffer one = ByteBuffer.allocate(1);
        while (true)
        {
            one.clear();
            if (host.read(one) < 0)
            {
                return line.toString(StandardCharsets.US_ASCII);
            }
            if (one.get(0) == '\n')
            {
                return line.toString(StandardCharsets.US_ASCII);
            }
            line.write(one.get(0));
        }
    }

    private static String answerOnce(final ServerSocketChannel listener)
    {
        try (SocketChannel channel = listener.accept())
        {
            final ByteArrayOutputStream got = new ByteArrayOutputStream();
            final ByteBuffer buffer = ByteBuffer.allocate(256);
            while (!got.toString(StandardCharsets.US_ASCII).endsWith("\n") && channel.read(buffer.clear()) > 0)
            {
                got.write(buffer.array(), 0, buffer.position());
            }
            writeAll(channel, "hello-from-host\n".getBytes(StandardCharsets.US_ASCII));
            channel.shutdownOutput();
            while (channel.read(buffer.clear()) >= 0)
            {
                // until the guest closes
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void writeAll(final SocketChannel channel, final byte[] bytes)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static byte[] readExactly(final SocketChannel channel, final int bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(bytes);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("stream ended after " + buffer.position() + " of " + bytes + " bytes");
            }
        }
        return buffer.array();
    }
}
