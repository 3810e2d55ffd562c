package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.wakeup.Doorbell;
import io.vplane.engine.wakeup.WakeupSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The switch's worker sleeps on its ports' wakeups: it wakes when a port rings or one attaches or leaves. */
@Timeout(30)
class PortWakeupsTest
{
    private final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("wk"), Counters.inMemory(256), System::nanoTime);
    private final AtomicLong backlog = new AtomicLong();
    private final Doorbell doorbell = new Doorbell(backlog::get);

    @AfterEach
    void close()
    {
        stage.close();
        doorbell.close();
    }

    private static boolean readable(final QueueWakeup wakeup)
    {
        return Poll.awaitReadable(wakeup.eventFd(), 0) > 0;
    }

    @Test
    void shouldWakeWhenAnAttachedPortRings()
    {
        final TestPort port = new TestPort("vm1", PortRole.VM);
        port.wakeups = List.of(doorbell);
        final QueueWakeup wakeup = stage.wakeup();
        stage.attach(port);
        assertThat(readable(wakeup)).as("an attach wakes the switch to take the port").isTrue();
        stage.doWork(64);
        assertThat(wakeup.arm()).isTrue();
        wakeup.consume();
        wakeup.disarm();
        assertThat(readable(wakeup)).isFalse();

        assertThat(wakeup.arm()).isTrue();
        backlog.set(1);
        doorbell.ring();
        assertThat(readable(wakeup)).as("the port's ring wakes the switch's worker").isTrue();
        wakeup.consume();
        wakeup.disarm();
        assertThat(readable(wakeup)).as("consuming the set consumed the port's ring").isFalse();
        assertThat(readable(doorbell)).isFalse();
        assertThat(wakeup.arm()).as("a port with work keeps the worker awake").isFalse();
        wakeup.disarm();
    }

    @Test
    void shouldStopWaitingOnAPortThatLeft()
    {
        final TestPort port = new TestPort("vm1", PortRole.VM);
        port.wakeups = List.of(doorbell);
        final QueueWakeup wakeup = stage.wakeup();
        stage.attach(port);
        stage.doWork(64);
        stage.detach("vm1");
        assertThat(readable(wakeup)).isTrue();
        stage.doWork(64);
        wakeup.consume();
        wakeup.disarm();
        backlog.set(1);
        assertThat(wakeup.arm()).as("the port that left is not asked").isTrue();
        backlog.set(0);
        doorbell.arm();
        doorbell.ring();
        assertThat(readable(doorbell)).isTrue();
        assertThat(readable(wakeup)).as("its fd is out of the switch's set").isFalse();
        wakeup.disarm();
        doorbell.disarm();
    }

    @Test
    void shouldLeaveNothingReadableAfterTheWorkersSleepEndsOnAPortsRing()
    {
        final TestPort port = new TestPort("vm1", PortRole.VM);
        port.wakeups = List.of(doorbell);
        stage.attach(port);
        stage.doWork(64);
        try (WakeupSet worker = new WakeupSet(() -> 0))
        {
            worker.add(stage.wakeup());
            doorbell.arm();
            doorbell.ring();
            doorbell.disarm();
            assertThat(readable(stage.wakeup())).isTrue();
            worker.sleep(10_000);
            assertThat(readable(doorbell)).as("the port's ring was read").isFalse();
            assertThat(readable(stage.wakeup())).as("so the next sleep can sleep").isFalse();
        }
    }

    @Test
    void shouldLetTheWorkerSleepWithAPortThatCannotWakeIt()
    {
        stage.attach(new TestPort("vm1", PortRole.VM));
        stage.doWork(64);
        stage.wakeup().disarm();
        assertThat(stage.wakeup().arm()).as("polled once per sleep timeout").isTrue();
        stage.wakeup().disarm();
    }
}
