package io.vplane.nic.port;

import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.vhostuser.VhostUserSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A hostile frontend sets up its rings, posts a frame, then truncates its (unsealed) guest-memory
 * memfd to 0: every later access to the mapping faults (SIGBUS, the JVM's InternalError). The
 * fault stays with this port's vring: the poll returns, GET_VRING_BASE is answered, and the
 * control thread's session goes on.
 */
@Timeout(30)
class ShrunkGuestMemoryTest extends PortSessionTest
{
    private static final long FEATURES = 1L << 32 | 1L << VhostUserRequest.F_PROTOCOL_FEATURES;

    private int callFd = -1;

    @AfterEach
    void closeCall()
    {
        FileIo.close(callFd);
    }

    @Test
    void shouldBreakOnlyTheVringWhenTheFrontendShrinksItsMemoryAndKeepAnswering() throws IOException
    {
        openPort("sink", "idle", 60);
        callFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, callFd, callFd);
        guest.descriptor(1, 0, 0x20000, 76, 0, 0);
        guest.offer(1, 0);
        truncate(frontend.ramFd);

        assertThatCode(() -> port.queues().get(1).poll(32)).as("the worker's poll").doesNotThrowAnyException();
        assertThat(value("vplane_vhost_ring_errors_total{port=\"p0\",queue=\"1\"}")).isEqualTo(1);

        frontend.vringState(VhostUserRequest.GET_VRING_BASE, 1, 0, false);
        assertThatCode(() -> assertThat(frontend.exchange(session)).isEqualTo(VhostUserSession.Outcome.CONTINUE))
            .as("the control thread's GET_VRING_BASE").doesNotThrowAnyException();
        assertThat(frontend.readReply().request()).isEqualTo(VhostUserRequest.GET_VRING_BASE);
        frontend.vringState(VhostUserRequest.GET_VRING_BASE, 0, 0, false);
        assertThatCode(() -> frontend.exchange(session)).as("the other vring's GET_VRING_BASE").doesNotThrowAnyException();
        assertThat(frontend.readReply().request()).isEqualTo(VhostUserRequest.GET_VRING_BASE);
    }

    /** What a hostile frontend does to its own memfd: the backend's mapping loses every page. */
    static void truncate(final int fd) throws IOException
    {
        try (FileChannel file = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE))
        {
            file.truncate(0);
        }
    }
}
