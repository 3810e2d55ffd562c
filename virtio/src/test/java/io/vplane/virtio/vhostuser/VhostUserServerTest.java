package io.vplane.virtio.vhostuser;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class VhostUserServerTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDropABadFrontendAndServeTheNextOne()
    {
        final Counters counters = Counters.inMemory(64);
        final AtomicCounter protocolErrors = counters.counter("vplane_server_protocol_errors_total");
        final AtomicCounter connections = counters.counter("vplane_server_connections_total");
        final Path socket = dir.resolve("s.sock");
        try (VhostUserServer server = new VhostUserServer("s", VhostUserSocket.listening(socket), new FakeDevice(2), new ErrorLog(counters),
            protocolErrors, connections);
             Arena arena = Arena.ofConfined())
        {
            server.start();
            final VhostUserMessage message = new VhostUserMessage(arena);
            try (VhostUserConnection bad = connect(socket, arena))
            {
                message.header(77, VERSION, 0);
                assertThat(bad.send(message)).isTrue();
                // the server closes: the next read sees end of stream
                assertThat(bad.awaitReadable(5_000)).isTrue();
                assertThat(bad.receive(message)).isEqualTo(VhostUserConnection.Received.CLOSED);
            }
            assertThat(protocolErrors.get()).isEqualTo(1);
            try (VhostUserConnection good = connect(socket, arena))
            {
                message.header(VhostUserRequest.GET_FEATURES, VERSION, 0);
                assertThat(good.send(message)).isTrue();
                assertThat(good.awaitReadable(5_000)).isTrue();
                assertThat(good.receive(message)).isEqualTo(VhostUserConnection.Received.MESSAGE);
                assertThat(message.flags()).isEqualTo(0x5);
                assertThat(message.payloadLong(0)).isEqualTo(FakeDevice.FEATURES | 1L << VhostUserRequest.F_PROTOCOL_FEATURES);
            }
            assertThat(connections.get()).isEqualTo(2);
        }
    }

    @Test
    void shouldKeepServingAfterAFrontendsMessageMadeTheDeviceThrowAnError()
    {
        final Counters counters = Counters.inMemory(64);
        final AtomicCounter protocolErrors = counters.counter("vplane_server_protocol_errors_total");
        final FakeDevice device = new FakeDevice(2);
        device.configFault = new InternalError("a fault occurred in an unsafe memory access operation");
        final Path socket = dir.resolve("f.sock");
        try (VhostUserServer server = new VhostUserServer("f", VhostUserSocket.listening(socket), device, new ErrorLog(counters),
            protocolErrors, counters.counter("vplane_server_connections_total"));
             Arena arena = Arena.ofConfined())
        {
            server.start();
            final VhostUserMessage message = new VhostUserMessage(arena);
            try (VhostUserConnection faulting = connect(socket, arena))
            {
                message.header(VhostUserRequest.GET_CONFIG, VERSION, CONFIG_DATA_OFFSET);
                message.putPayloadInt(CONFIG_OFFSET_OFFSET, 0).putPayloadInt(CONFIG_SIZE_OFFSET, 0).putPayloadInt(CONFIG_FLAGS_OFFSET, 0);
                assertThat(faulting.send(message)).isTrue();
                assertThat(faulting.awaitReadable(5_000)).isTrue();
                assertThat(faulting.receive(message)).isEqualTo(VhostUserConnection.Received.CLOSED);
            }
            device.configFault = null;
            try (VhostUserConnection next = connect(socket, arena))
            {
                message.header(VhostUserRequest.GET_FEATURES, VERSION, 0);
                assertThat(next.send(message)).isTrue();
                assertThat(next.awaitReadable(5_000)).as("the control thread still serves").isTrue();
                assertThat(next.receive(message)).isEqualTo(VhostUserConnection.Received.MESSAGE);
            }
            assertThat(protocolErrors.get()).isEqualTo(1);
        }
    }

    private static VhostUserConnection connect(final Path socket, final Arena arena)
    {
        final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (Sockets.connect(fd, SockaddrUn.of(arena, socket.toString())) == 0)
            {
                return new VhostUserConnection(fd);
            }
            LockSupport.parkNanos(20_000_000);
        }
        throw new AssertionError("cannot connect to " + socket);
    }
}
