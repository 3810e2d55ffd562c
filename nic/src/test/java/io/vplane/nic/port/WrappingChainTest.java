package io.vplane.nic.port;

import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.memory.SealableMemfd;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.virtq.SplitRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest posts a transmit chain whose buffers add up to 4 GiB + 76 bytes (128 descriptors over
 * one 32 MiB region, then 76 bytes): its length must not wrap an int into a 64-byte frame that the
 * loopback would deliver.
 */
@Timeout(30)
class WrappingChainTest extends PortSessionTest
{
    private static final long FEATURES = 1L << 32 | 1L << VhostUserRequest.F_PROTOCOL_FEATURES;
    private static final long BIG_GPA = 0x1_0000_0000L;
    private static final long BIG_BYTES = 32L << 20;

    private int callFd = -1;
    private int bigFd = -1;

    @AfterEach
    void closeFds()
    {
        FileIo.close(callFd);
        FileIo.close(bigFd);
    }

    @Test
    void shouldDropAChainLongerThanAnIntAsTooBigInsteadOfWrappingItsLength() throws IOException
    {
        openPort("loopback", "idle", 60);
        callFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, callFd, callFd);
        bigFd = MemFd.create("big", 4096);
        SealableMemfd.truncate(bigFd, BIG_BYTES);
        frontend.memTable(new MemoryRegion[] {
            new MemoryRegion(TestFrontend.GPA, TestFrontend.RAM_BYTES, TestFrontend.UADDR, 0),
            new MemoryRegion(BIG_GPA, BIG_BYTES, 0x7f10_0000_0000L, 0)}, true);
        frontend.exchange(session, frontend.ramFd, bigFd);
        frontend.expectAck(0);

        final int spans = (int)((1L << 32) / BIG_BYTES);
        for (int i = 0; i < spans; i++)
        {
            guest.descriptor(1, i, BIG_GPA - TestFrontend.GPA, (int)BIG_BYTES, SplitRing.DESC_F_NEXT, i + 1);
        }
        guest.descriptor(1, spans, 0x20000, 76, 0, 0);
        guest.offer(1, 0);
        guest.descriptor(0, 0, 0x40000, 2048, SplitRing.DESC_F_WRITE, 0);
        guest.offer(0, 0);

        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);

        assertThat(guest.usedIdx(0)).as("nothing looped back").isZero();
        assertThat(value("vplane_vhost_drops_total{port=\"p0\",queue=\"0\",reason=\"frame_too_big\"}")).isEqualTo(1);
        assertThat(value("vplane_vhost_ring_errors_total{port=\"p0\",queue=\"1\"}")).isZero();
        assertThat(guest.usedIdx(1)).as("the chain went back to the guest").isEqualTo(1);
    }
}
