package io.vplane.engine.wakeup;

import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class EpollSetTest
{
    @Test
    void shouldBeReadableAfterTheBellRingsUntilTheBellIsConsumed()
    {
        try (EpollSet set = EpollSet.withBell(4))
        {
            assertThat(set.await(0)).isZero();
            set.ringBell();
            set.ringBell();

            assertThat(set.await(0)).isEqualTo(1);
            assertThat(set.consumeIfBell(set.readyFd(0))).isTrue();
            assertThat(set.await(0)).as("one read takes every ring").isZero();
        }
    }

    @Test
    void shouldReportAMemberThatRangAndLeaveItToTheCaller()
    {
        final int member = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        try (EpollSet set = EpollSet.plain(4))
        {
            assertThat(set.add(member)).isZero();
            EventFd.signal(member);

            assertThat(set.await(0)).isEqualTo(1);
            assertThat(set.readyFd(0)).isEqualTo(member);
            assertThat(set.consumeIfBell(member)).as("a set without a bell has no bell").isFalse();
            assertThat(set.await(0)).as("still readable: the member was not read").isEqualTo(1);

            assertThat(set.remove(member)).isZero();
            assertThat(set.await(0)).isZero();
        }
        finally
        {
            FileIo.close(member);
        }
    }
}
