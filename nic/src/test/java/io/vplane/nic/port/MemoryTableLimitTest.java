package io.vplane.nic.port;

import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.engine.linux.SockaddrUn;
import io.vplane.engine.linux.Sockets;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.vhostuser.VhostUserConnection;
import io.vplane.virtio.vhostuser.VhostUserMessage;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static org.assertj.core.api.Assertions.assertThat;

/** A port's configured guest-memory limits reach the sessions of its socket. */
@Timeout(30)
class MemoryTableLimitTest
{
    private static final long REGION_BYTES = 64 * 1024;

    @Test
    void shouldRefuseATwoRegionTableOnAPortConfiguredForOneRegion()
    {
        final String socket = "mem-limit-" + ProcessHandle.current().pid() + ".sock";
        final int memFd = MemFd.create("ram", 2L << 20);
        try (PortFixture fixture = PortFixture.onePort("name: m0, socketPath: " + socket + ", maxMemoryRegions: 1");
             Arena arena = Arena.ofConfined();
             VhostUserConnection frontend = connect(Path.of(System.getProperty("java.io.tmpdir"), socket), arena))
        {
            final VhostUserMessage message = new VhostUserMessage(arena);

            assertThat(memTable(frontend, message, memFd, new MemoryRegion(0, REGION_BYTES, 0, 0),
                new MemoryRegion(1L << 20, REGION_BYTES, 1L << 20, 0))).as("two regions: refused").isNotZero();
            assertThat(memTable(frontend, message, memFd, new MemoryRegion(0, REGION_BYTES, 0, 0)))
                .as("one region: mapped").isZero();
            assertThat(fixture.port("m0").settings().maxMemoryRegions()).isEqualTo(1);
        }
        finally
        {
            FileIo.close(memFd);
        }
    }

    /** Sends SET_MEM_TABLE with need_reply, every region backed by {@code fd}; returns the REPLY_ACK value. */
    private static long memTable(
        final VhostUserConnection frontend, final VhostUserMessage message, final int fd, final MemoryRegion... regions)
    {
        message.header(VhostUserRequest.SET_MEM_TABLE, VERSION | FLAG_NEED_REPLY, MEM_REGIONS_OFFSET + regions.length * MEM_REGION_SIZE)
            .putPayloadInt(MEM_NREGIONS_OFFSET, regions.length).putPayloadInt(MEM_NREGIONS_OFFSET + 4, 0);
        final int[] fds = new int[regions.length];
        for (int i = 0; i < regions.length; i++)
        {
            final int at = MEM_REGIONS_OFFSET + i * MEM_REGION_SIZE;
            message.putPayloadLong(at + MEM_REGION_GPA_OFFSET, regions[i].guestPhysAddr())
                .putPayloadLong(at + MEM_REGION_SIZE_OFFSET, regions[i].size())
                .putPayloadLong(at + MEM_REGION_UADDR_OFFSET, regions[i].userAddr())
                .putPayloadLong(at + MEM_REGION_MMAP_OFFSET_OFFSET, regions[i].mmapOffset());
            fds[i] = fd;
        }
        assertThat(frontend.send(message, fds)).isTrue();
        assertThat(frontend.awaitReadable(5_000)).as("a reply").isTrue();
        assertThat(frontend.receive(message)).isEqualTo(VhostUserConnection.Received.MESSAGE);
        assertThat(message.request()).isEqualTo(VhostUserRequest.SET_MEM_TABLE);
        return message.payloadLong(0);
    }

    private static VhostUserConnection connect(final Path socket, final Arena arena)
    {
        final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        for (int attempt = 0; attempt < 250; attempt++)
        {
            if (Sockets.connect(fd, SockaddrUn.of(arena, socket.toString())) == 0)
            {
                return new VhostUserConnection(fd);
            }
            LockSupport.parkNanos(20_000_000);
        }
        FileIo.close(fd);
        throw new AssertionError("cannot connect to " + socket);
    }
}
