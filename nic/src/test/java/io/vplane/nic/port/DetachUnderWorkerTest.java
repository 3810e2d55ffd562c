package io.vplane.nic.port;

import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frontend stops a ring and replaces its memory table while a worker is still inside the ring
 * (a long burst): the old memory must stay mapped until that worker has let go, then go.
 */
@Timeout(30)
class DetachUnderWorkerTest extends PortSessionTest
{
    private static final long FEATURES = 1L << 32 | 1L << VhostUserRequest.F_PROTOCOL_FEATURES;

    private int callFd = -1;
    private int newRamFd = -1;

    @AfterEach
    void closeFds()
    {
        FileIo.close(callFd);
        FileIo.close(newRamFd);
    }

    @Test
    void shouldKeepGuestMemoryMappedUntilTheWorkerInsideTheRingLeaves()
    {
        openPort("sink", "idle", 60);
        callFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, callFd, callFd);
        final TxQueue tx = (TxQueue)port.queues().get(1);

        // this thread plays the worker, inside the transmit ring
        final SplitVirtQueue ring = tx.enterForeign();
        assertThat(ring).isNotNull();
        newRamFd = MemFd.create("new-ram", TestFrontend.RAM_BYTES);
        // the frontend, meanwhile: stop the ring, then a new memory table (the session unmaps the old one)
        CompletableFuture.runAsync(() ->
        {
            frontend.vringState(VhostUserRequest.GET_VRING_BASE, 1, 0, false);
            frontend.exchange(session);
            frontend.readReply();
            frontend.memTable(new MemoryRegion[] {new MemoryRegion(TestFrontend.GPA, TestFrontend.RAM_BYTES, TestFrontend.UADDR, 0)}, true);
            frontend.exchange(session, newRamFd);
            frontend.expectAck(0);
        }).join();

        assertThat(ring.memory().isMapped()).as("mapped while the worker is inside").isTrue();
        assertThat(ring.available()).as("the worker's access after the detach timed out").isZero();
        tx.exitForeign();
        assertThat(ring.memory().isMapped()).as("not yet: the worker confirms at its next entry").isTrue();

        assertThat(tx.poll(32)).isZero();
        assertThat(ring.memory().isMapped()).as("unmapped once the worker let go").isFalse();
    }

    @Test
    void shouldUnmapGuestMemoryAtOnceWhenNoWorkerIsInside()
    {
        openPort("sink", "idle", 60);
        callFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, callFd, callFd);
        final TxQueue tx = (TxQueue)port.queues().get(1);
        final SplitVirtQueue ring = tx.enterForeign();
        tx.exitForeign();

        session.close();

        assertThat(ring.memory().isMapped()).isFalse();
    }
}
