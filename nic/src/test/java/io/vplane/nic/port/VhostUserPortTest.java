package io.vplane.nic.port;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.virtq.SplitRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/** The port's data path driven single-threaded: a test frontend sets the rings up, the test polls the queues. */
@Timeout(30)
class VhostUserPortTest extends PortSessionTest
{
    static final long FEATURES = 1L << VirtioNet.F_VERSION_1 | 1L << VirtioNet.F_MRG_RXBUF |
        1L << VhostUserRequest.F_PROTOCOL_FEATURES;

    private int callFd = -1;
    private int rxCallFd = -1;

    @AfterEach
    void closeCalls()
    {
        FileIo.close(callFd);
        FileIo.close(rxCallFd);
    }

    private void open(final String guestTx, final String guestRx, final int frameBytes)
    {
        openPort(guestTx, guestRx, frameBytes);
        callFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        rxCallFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        // SCM_RIGHTS gives the session its own copies; the test reads through these
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, rxCallFd, callFd);
    }

    @Test
    void shouldSinkGuestFramesAndReturnEveryChainWithOneCallPerBurst()
    {
        open("sink", "idle", 60);
        sendFrames(0, 10);
        assertThat(port.queues().get(1).poll(4)).isEqualTo(4);
        assertThat(guest.usedIdx(1)).isEqualTo(4);
        assertThat(EventFd.read(callFd)).isEqualTo(1);
        assertThat(port.queues().get(1).poll(32)).isEqualTo(6);
        assertThat(guest.usedIdx(1)).isEqualTo(10);
        assertThat(guest.usedId(1, 9)).isEqualTo(9);
        assertThat(guest.usedFlags(1)).isEqualTo(SplitRing.USED_F_NO_NOTIFY);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"1\",dir=\"guest_tx\"}")).isEqualTo(10);
        assertThat(value("vplane_vhost_bytes_total{port=\"p0\",queue=\"1\",dir=\"guest_tx\"}")).isEqualTo(640);
        assertThat(value("vplane_vhost_drops_total{port=\"p0\",queue=\"1\",reason=\"sink\"}")).isEqualTo(10);
    }

    /** The guest sends 64-byte frames in descriptors {@code from}..{@code to - 1} of transmit queue 1. */
    private void sendFrames(final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            guest.descriptor(1, i, 0x20000 + i * 2048L, 12 + 64, 0, 0);
            guest.offer(1, i);
        }
    }

    /** The guest offers 2 KiB receive buffers in descriptors {@code from}..{@code to - 1} of queue 0. */
    private void offerReceiveBuffers(final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            guest.descriptor(0, i, 0x40000 + i * 2048L, 2048, SplitRing.DESC_F_WRITE, 0);
            guest.offer(0, i);
        }
    }

    /** The frontend goes away and comes back (a new connection) on the same guest memory, as virtio-user does. */
    private void reconnect()
    {
        session.close();
        connectAgain();
    }

    private void connectAgain()
    {
        newSession();
        // virtio-user sends SET_VRING_BASE 0 for split rings on every reconnect
        frontend.startUp(session, FEATURES, 2, GuestDriver.SIZE, rxCallFd, callFd);
    }

    @Test
    void shouldTakeWhatTheGuestMadeAvailableAndReportTheUsedIndexAsBaseWhenTheRingStops()
    {
        open("sink", "idle", 60);
        sendFrames(0, 10);
        assertThat(port.queues().get(1).poll(4)).isEqualTo(4);
        assertThat(frontend.getVringBase(session, 1)).isEqualTo(10);
        assertThat(guest.usedIdx(1)).as("no descriptor left in flight").isEqualTo(10);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"1\",dir=\"guest_tx\"}")).isEqualTo(10);
    }

    @Test
    void shouldResumeTransmitFromTheUsedIndexWhenTheFrontendReconnectsWithBaseZero()
    {
        open("sink", "idle", 60);
        sendFrames(0, 10);
        assertThat(port.queues().get(1).poll(32)).isEqualTo(10);
        session.close();
        // made available while the backend was away
        sendFrames(10, 13);
        connectAgain();
        assertThat(port.queues().get(1).poll(32)).as("only the three new frames").isEqualTo(3);
        assertThat(guest.usedIdx(1)).isEqualTo(13);
        assertThat(guest.usedId(1, 12)).isEqualTo(12);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"1\",dir=\"guest_tx\"}")).isEqualTo(13);
    }

    @Test
    void shouldNotWriteIntoReceiveBuffersAgainWhenTheFrontendReconnectsWithBaseZero()
    {
        open("sink", "source", 100);
        offerReceiveBuffers(0, 5);
        assertThat(port.queues().get(0).poll(32)).isEqualTo(5);
        // the guest has not read them yet; a frame in one of them must not be overwritten
        guest.ram().set(ValueLayout.JAVA_BYTE, 0x40000 + 12, (byte)0x42);
        reconnect();
        assertThat(port.queues().get(0).poll(32)).as("no buffer offered since").isZero();
        assertThat(guest.ram().get(ValueLayout.JAVA_BYTE, 0x40000 + 12)).isEqualTo((byte)0x42);
        offerReceiveBuffers(5, 7);
        assertThat(port.queues().get(0).poll(32)).isEqualTo(2);
        assertThat(guest.usedIdx(0)).isEqualTo(7);
        assertThat(guest.usedId(0, 6)).isEqualTo(6);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"0\",dir=\"guest_rx\"}")).isEqualTo(7);
    }

    @Test
    void shouldNotCallWhenTheDriverSetNoInterrupt()
    {
        open("sink", "idle", 60);
        guest.noInterrupt(1);
        guest.descriptor(1, 0, 0x20000, 76, 0, 0);
        guest.offer(1, 0);
        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);
        assertThat(EventFd.read(callFd)).isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void shouldFillReceiveBuffersFromTheSourceWithHeaderAndNumBuffers()
    {
        open("sink", "source", 100);
        offerReceiveBuffers(0, 3);
        assertThat(port.queues().get(0).poll(32)).isEqualTo(3);
        assertThat(guest.usedIdx(0)).isEqualTo(3);
        assertThat(guest.usedLen(0, 0)).isEqualTo(112);
        assertThat(guest.ram().get(ValueLayout.JAVA_SHORT, 0x40000 + VirtioNet.HEADER_NUM_BUFFERS_OFFSET)).isEqualTo((short)1);
        // broadcast destination, the port's MAC as source
        assertThat(guest.ram().get(ValueLayout.JAVA_BYTE, 0x40000 + 12)).isEqualTo((byte)0xFF);
        assertThat(guest.ram().get(ValueLayout.JAVA_BYTE, 0x40000 + 12 + 6)).isEqualTo((byte)0x52);
        assertThat(port.queues().get(0).poll(32)).isZero();
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"0\",dir=\"guest_rx\"}")).isEqualTo(3);
    }

    @Test
    void shouldSpreadAFrameOverSeveralBuffersWithMergeableBuffers()
    {
        open("sink", "source", 1500);
        for (int i = 0; i < 2; i++)
        {
            guest.descriptor(0, i, 0x40000 + i * 1024L, 512, SplitRing.DESC_F_WRITE, 0);
            guest.offer(0, i);
        }
        // 1512 bytes need three buffers: the two offered are given back untouched
        assertThat(port.queues().get(0).poll(32)).isZero();
        assertThat(guest.usedIdx(0)).isZero();
        for (int i = 2; i < 6; i++)
        {
            guest.descriptor(0, i, 0x40000 + i * 1024L, 512, SplitRing.DESC_F_WRITE, 0);
            guest.offer(0, i);
        }
        assertThat(port.queues().get(0).poll(32)).isEqualTo(2);
        assertThat(guest.usedIdx(0)).isEqualTo(6);
        assertThat(guest.ram().get(ValueLayout.JAVA_SHORT, 0x40000 + VirtioNet.HEADER_NUM_BUFFERS_OFFSET)).isEqualTo((short)3);
        assertThat(guest.usedLen(0, 0) + guest.usedLen(0, 1) + guest.usedLen(0, 2)).isEqualTo(1512);
    }

    @Test
    void shouldLoopGuestFramesBackIntoTheReceiveQueue()
    {
        open("loopback", "idle", 60);
        guest.descriptor(0, 0, 0x40000, 2048, SplitRing.DESC_F_WRITE, 0);
        guest.offer(0, 0);
        // header and frame in two descriptors
        guest.descriptor(1, 0, 0x20000, 12, SplitRing.DESC_F_NEXT, 1);
        guest.descriptor(1, 1, 0x21000, 64, 0, 0);
        guest.ram().set(ValueLayout.JAVA_LONG, 0x21000, 0x0102030405060708L);
        guest.offer(1, 0);
        guest.descriptor(1, 2, 0x22000, 76, 0, 0);
        guest.offer(1, 2);
        assertThat(port.queues().get(0).poll(32)).isZero();
        assertThat(port.queues().get(1).poll(32)).isEqualTo(2);
        assertThat(guest.usedIdx(1)).isEqualTo(2);
        assertThat(guest.usedIdx(0)).isEqualTo(1);
        assertThat(guest.usedLen(0, 0)).isEqualTo(76);
        assertThat(guest.ram().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x40000 + 12)).isEqualTo(0x0102030405060708L);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"0\",dir=\"guest_rx\"}")).isEqualTo(1);
        assertThat(value("vplane_vhost_drops_total{port=\"p0\",queue=\"0\",reason=\"no_rx_buffer\"}")).isEqualTo(1);
    }

    @Test
    void shouldStopFeedingTheGuestWhenQuiesced()
    {
        open("sink", "source", 60);
        port.quiesce();
        guest.descriptor(0, 0, 0x40000, 2048, SplitRing.DESC_F_WRITE, 0);
        guest.offer(0, 0);
        assertThat(port.queues().get(0).poll(32)).isZero();
        guest.descriptor(1, 0, 0x20000, 76, 0, 0);
        guest.offer(1, 0);
        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);
    }

    @Test
    void shouldFeedTheGuestAgainWhenResumed()
    {
        open("sink", "source", 60);
        port.quiesce();
        guest.descriptor(0, 0, 0x40000, 2048, SplitRing.DESC_F_WRITE, 0);
        guest.offer(0, 0);
        assertThat(port.queues().get(0).poll(32)).isZero();
        port.resume();
        // the buffer offered while the source was held is filled now
        assertThat(port.queues().get(0).poll(32)).isEqualTo(1);
        assertThat(guest.usedIdx(0)).isEqualTo(1);
        assertThat(value("vplane_vhost_frames_total{port=\"p0\",queue=\"0\",dir=\"guest_rx\"}")).isEqualTo(1);
    }
}
