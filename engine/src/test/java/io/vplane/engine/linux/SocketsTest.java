package io.vplane.engine.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class SocketsTest
{
    @Test
    void shouldPassADescriptorWithScmRightsThroughTheStructLayouts()
    {
        final int[] pair = new int[2];
        assertThat(Sockets.socketPair(pair)).isZero();
        final int passed = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        int received = -1;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment payload = arena.allocate(1);
            final MemorySegment iovec = arena.allocate(Iovec.SIZE, 8);
            iovec.set(ADDRESS, Iovec.BASE_OFFSET, payload);
            iovec.set(JAVA_LONG, Iovec.LENGTH_OFFSET, 1L);
            final MemorySegment control = arena.allocate(CmsgHdr.HEADER_SIZE + 8, 8);
            control.set(JAVA_LONG, CmsgHdr.LEN_OFFSET, CmsgHdr.HEADER_SIZE + Integer.BYTES);
            control.set(JAVA_INT, CmsgHdr.LEVEL_OFFSET, CmsgHdr.SOL_SOCKET);
            control.set(JAVA_INT, CmsgHdr.TYPE_OFFSET, CmsgHdr.SCM_RIGHTS);
            control.set(JAVA_INT, CmsgHdr.HEADER_SIZE, passed);
            final MemorySegment msghdr = arena.allocate(MsgHdr.SIZE, 8);
            msghdr.set(ADDRESS, MsgHdr.IOV_OFFSET, iovec);
            msghdr.set(JAVA_LONG, MsgHdr.IOVLEN_OFFSET, 1L);
            msghdr.set(ADDRESS, MsgHdr.CONTROL_OFFSET, control);
            msghdr.set(JAVA_LONG, MsgHdr.CONTROLLEN_OFFSET, control.byteSize());
            assertThat(Sockets.sendmsg(pair[0], msghdr, Sockets.MSG_NOSIGNAL)).isEqualTo(1);

            control.fill((byte)0);
            msghdr.set(JAVA_LONG, MsgHdr.CONTROLLEN_OFFSET, control.byteSize());
            assertThat(Poll.awaitReadable(pair[1], 1000)).isPositive();
            assertThat(Sockets.recvmsg(pair[1], msghdr, Sockets.MSG_CMSG_CLOEXEC)).isEqualTo(1);
            assertThat(msghdr.get(JAVA_INT, MsgHdr.FLAGS_OFFSET) & Sockets.MSG_CTRUNC).isZero();
            assertThat(control.get(JAVA_INT, CmsgHdr.TYPE_OFFSET)).isEqualTo(CmsgHdr.SCM_RIGHTS);
            received = control.get(JAVA_INT, CmsgHdr.HEADER_SIZE);

            assertThat(received).isNotEqualTo(passed);
            EventFd.signal(received);
            assertThat(EventFd.read(passed)).as("both descriptors name one eventfd").isEqualTo(1);
        }
        finally
        {
            FileIo.close(received);
            FileIo.close(passed);
            FileIo.close(pair[0]);
            FileIo.close(pair[1]);
        }
    }

    @Test
    void shouldRefuseAConnectionWhereNobodyListens(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
    {
        final int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined())
        {
            assertThat(Sockets.connect(fd, SockaddrUn.of(arena, dir.resolve("none.sock").toString()))).isEqualTo(-Errno.ENOENT);
        }
        finally
        {
            FileIo.close(fd);
        }
    }
}
