package io.vplane.nic.port;

import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.linux.Sockets;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vhost queue as the engine's {@link QueueWakeup}, driven single-threaded step by step through
 * each interleaving of the driver (publish an entry, then kick only if the device asked) and the
 * worker (arm, look again, sleep, disarm): no entry is left waiting for a kick that never comes.
 */
@Timeout(30)
class QueueWakeupTest extends PortSessionTest
{
    private final int kickFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
    private int nextHead;

    @AfterEach
    void closeKick()
    {
        FileIo.close(kickFd);
    }

    private QueueWakeup open(final String guestRx, final long extraFeatures, final int queue)
    {
        openPort("sink", guestRx, 60);
        frontend.startUp(session, VhostUserPortTest.FEATURES | extraFeatures, 2, GuestDriver.SIZE);
        frontend.setKick(session, queue, kickFd);
        final QueueWakeup wakeup = port.queues().get(queue).wakeup();
        // the hand-over of a new ring rings the bell, so a sleeping worker looks at it
        assertThat(readable(wakeup)).isTrue();
        wakeup.disarm();
        assertThat(readable(wakeup)).isFalse();
        return wakeup;
    }

    /** The driver's side of a transmit: publish a frame, then kick if the device asked for it. */
    private boolean sendFrame(final boolean eventIdx)
    {
        final int head = nextHead++ % GuestDriver.SIZE;
        guest.descriptor(1, head, 0x20000 + head * 2048L, 12 + 64, 0, 0);
        final int oldIdx = guest.availIdx(1);
        guest.offer(1, head);
        final boolean kick = eventIdx ?
            SplitVirtQueue.needEvent(guest.availEvent(1), oldIdx + 1 & 0xFFFF, oldIdx) :
            (guest.usedFlags(1) & SplitRing.USED_F_NO_NOTIFY) == 0;
        if (kick)
        {
            EventFd.signal(kickFd);
        }
        return kick;
    }

    private static boolean readable(final QueueWakeup wakeup)
    {
        return Poll.awaitReadable(wakeup.eventFd(), 0) > 0;
    }

    @Test
    void shouldWakeOnTheKickOfAFrameSentAfterArming()
    {
        final QueueWakeup wakeup = open("idle", 0, 1);
        assertThat(guest.usedFlags(1) & SplitRing.USED_F_NO_NOTIFY).as("kicks suppressed while polling").isNotZero();
        assertThat(wakeup.arm()).as("nothing waiting: the worker may sleep").isTrue();
        assertThat(guest.usedFlags(1) & SplitRing.USED_F_NO_NOTIFY).as("kicks asked for").isZero();
        assertThat(sendFrame(false)).isTrue();
        assertThat(readable(wakeup)).as("the kick wakes the worker's epoll").isTrue();
        wakeup.disarm();
        assertThat(readable(wakeup)).as("the kick is consumed").isFalse();
        assertThat(guest.usedFlags(1) & SplitRing.USED_F_NO_NOTIFY).as("kicks suppressed again").isNotZero();
        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);
    }

    @Test
    void shouldNotSleepWhenAFrameCameWithoutAKickBeforeArming()
    {
        final QueueWakeup wakeup = open("idle", 0, 1);
        // published while kicks were suppressed: the driver does not kick
        assertThat(sendFrame(false)).isFalse();
        assertThat(wakeup.arm()).as("the look after arming finds the frame").isFalse();
        wakeup.disarm();
        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);
        assertThat(wakeup.arm()).isTrue();
        wakeup.disarm();
    }

    @Test
    void shouldAskForTheNextEntryThroughAvailEventWithEventIdx()
    {
        final QueueWakeup wakeup = open("idle", 1L << VirtioNet.F_RING_EVENT_IDX, 1);
        assertThat(sendFrame(true)).as("avail_event lies behind while polling").isFalse();
        assertThat(port.queues().get(1).poll(32)).isEqualTo(1);
        assertThat(wakeup.arm()).isTrue();
        assertThat(guest.availEvent(1)).as("kick me for the next entry").isEqualTo(1);
        assertThat(sendFrame(true)).isTrue();
        assertThat(readable(wakeup)).isTrue();
        wakeup.disarm();
        assertThat(readable(wakeup)).isFalse();
        assertThat(sendFrame(true)).as("suppressed again after waking").isFalse();
        assertThat(wakeup.arm()).as("two frames wait").isFalse();
        wakeup.disarm();
        assertThat(port.queues().get(1).poll(32)).isEqualTo(2);
    }

    @Test
    void shouldLetTheWorkerSleepOnAReceiveQueueThatAnotherQueueFeeds()
    {
        final QueueWakeup wakeup = open("idle", 0, 0);
        assertThat(wakeup.arm()).isTrue();
        assertThat(guest.usedFlags(0) & SplitRing.USED_F_NO_NOTIFY).as("no kicks wanted: receive buffers are no work").isNotZero();
        wakeup.disarm();
    }

    @Test
    void shouldWakeASourceWhenTheGuestAddsReceiveBuffers()
    {
        final QueueWakeup wakeup = open("source", 0, 0);
        assertThat(wakeup.arm()).as("no receive buffers: nothing to fill").isTrue();
        guest.descriptor(0, 0, 0x40000, 2048, SplitRing.DESC_F_WRITE, 0);
        guest.offer(0, 0);
        assertThat(guest.usedFlags(0) & SplitRing.USED_F_NO_NOTIFY).isZero();
        EventFd.signal(kickFd);
        assertThat(readable(wakeup)).isTrue();
        wakeup.disarm();
        assertThat(port.queues().get(0).poll(32)).isEqualTo(1);
    }

    @Test
    void shouldSleepWithoutRingAndWakeWhenOneIsHandedOver()
    {
        final QueueWakeup wakeup = open("idle", 0, 1);
        frontend.getVringBase(session, 1);
        assertThat(wakeup.arm()).as("no ring: nothing to poll").isTrue();
        frontend.setKick(session, 1, kickFd);
        assertThat(readable(wakeup)).as("the bell of the new ring").isTrue();
        wakeup.disarm();
    }

    @Test
    void shouldDropAKickFdThatIsNoEventfdInsteadOfWakingForEver()
    {
        final int[] pair = new int[2];
        assertThat(Sockets.socketPair(pair)).isZero();
        try
        {
            final QueueWakeup wakeup = open("idle", 0, 1);
            // a hostile frontend: a socket as kick fd, whose peer is gone (always readable, EOF)
            frontend.setKick(session, 1, pair[0]);
            FileIo.close(pair[1]);
            pair[1] = -1;
            assertThat(readable(wakeup)).isTrue();
            wakeup.disarm();
            assertThat(readable(wakeup)).as("taken out of the set: the worker can sleep again").isFalse();
            assertThat(value("vplane_errors_total{component=\"vhost-user\",error=\"kick-fd\"}")).isEqualTo(1);
            assertThat(wakeup.arm()).isTrue();
            wakeup.disarm();
        }
        finally
        {
            FileIo.close(pair[0]);
            FileIo.close(pair[1]);
        }
    }
}
