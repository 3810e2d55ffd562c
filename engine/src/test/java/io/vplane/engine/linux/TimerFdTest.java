package io.vplane.engine.linux;

import io.vplane.engine.wakeup.EpollSet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimerFdTest
{
    @Test
    void shouldWakeAnEpollWaiterAtAnAbsoluteNanoTimeDeadline()
    {
        try (TimerFd timer = new TimerFd(); EpollSet set = EpollSet.plain(1))
        {
            set.add(timer.fd());
            final long deadline = System.nanoTime() + 50_000_000L;
            assertThat(timer.fireAt(deadline)).isZero();
            assertThat(set.await(5_000)).isEqualTo(1);
            assertThat(System.nanoTime()).as("not before the deadline: the clocks agree").isGreaterThanOrEqualTo(deadline);
            assertThat(timer.consume()).isEqualTo(1);
            assertThat(set.await(0)).as("consumed").isZero();
        }
    }

    @Test
    void shouldNotFireOnceDisarmedAndFireAtOnceForAPastDeadline()
    {
        try (TimerFd timer = new TimerFd(); EpollSet set = EpollSet.plain(1))
        {
            set.add(timer.fd());
            timer.fireAt(System.nanoTime() + 30_000_000L);
            assertThat(timer.fireAt(0)).isZero();
            assertThat(set.await(100)).as("disarmed").isZero();
            timer.fireAt(System.nanoTime() - 1_000_000L);
            assertThat(set.await(1_000)).as("a deadline already past").isEqualTo(1);
        }
    }
}
