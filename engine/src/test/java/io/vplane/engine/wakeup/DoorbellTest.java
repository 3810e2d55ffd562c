package io.vplane.engine.wakeup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DoorbellTest
{
    private final AtomicLong backlog = new AtomicLong();
    private final Doorbell doorbell = new Doorbell(backlog::get);
    private final AtomicLong commands = new AtomicLong();
    private final WakeupSet set = new WakeupSet(commands::get);

    @AfterEach
    void close()
    {
        set.close();
        doorbell.close();
    }

    @Test
    void shouldWakeASleeperWhenTheProducerRings() throws Exception
    {
        set.add(doorbell);
        final Thread producer = Thread.ofPlatform().start(() ->
        {
            sleepMs(100);
            backlog.incrementAndGet();
            doorbell.ring();
        });

        final long start = System.nanoTime();
        assertThat(set.sleep(10_000)).isTrue();
        producer.join();

        assertThat(System.nanoTime() - start).as("woken by the ring, not the 10 s timeout").isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void shouldNotSleepWhenWorkIsAlreadyWaiting()
    {
        set.add(doorbell);
        backlog.set(1);

        assertThat(set.sleep(10_000)).isFalse();
    }

    @Test
    void shouldNotRingWhenNobodySleeps()
    {
        set.add(doorbell);
        doorbell.ring();

        // nothing pending: a sleep with a short timeout returns by timeout, having found no ring
        final long start = System.nanoTime();
        assertThat(set.sleep(50)).isTrue();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
    }

    @Test
    void shouldWakeASleeperWhenTheWorkerGetsACommand() throws Exception
    {
        set.add(doorbell);
        final Thread sender = Thread.ofPlatform().start(() ->
        {
            sleepMs(100);
            commands.incrementAndGet();
            set.wakeUp();
        });

        final long start = System.nanoTime();
        set.sleep(10_000);
        sender.join();

        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(set.sleep(10_000)).as("a command waiting: no sleep").isFalse();
    }

    @Test
    void shouldConsumeTheRingSoTheNextSleepWaits() throws Exception
    {
        set.add(doorbell);
        final Thread producer = Thread.ofPlatform().start(() ->
        {
            sleepMs(100);
            doorbell.ring();
        });
        assertThat(set.sleep(10_000)).isTrue();
        producer.join();

        final long start = System.nanoTime();
        set.sleep(50);
        assertThat(System.nanoTime() - start).as("no ring left behind").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
    }

    @Test
    void shouldWakeOnceOnlyForARingThatCameAfterTheWorkerStoppedSleeping()
    {
        set.add(doorbell);
        doorbell.arm();
        doorbell.ring();
        doorbell.disarm();

        final long first = System.nanoTime();
        set.sleep(10_000);
        assertThat(System.nanoTime() - first).as("the late ring ends the next sleep").isLessThan(TimeUnit.SECONDS.toNanos(5));

        final long second = System.nanoTime();
        set.sleep(50);
        assertThat(System.nanoTime() - second).as("and is consumed by it").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
    }

    @Test
    void shouldRefuseToSleepWithAQueueThatMustBePolled()
    {
        set.add(doorbell);
        set.add(null);
        assertThat(set.canSleep()).isFalse();

        set.remove(null);
        assertThat(set.canSleep()).isTrue();
        set.remove(doorbell);
        assertThat(set.canSleep()).as("no queues: sleeps until a command").isTrue();
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
