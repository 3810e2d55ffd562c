package io.vplane.engine.binding;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceQueue;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueueGroupAgentTest
{
    private final Counters counters = Counters.inMemory(64);
    private final CachedNanoClock clock = new CachedNanoClock();

    @Test
    void shouldTakeAtMostBatchFromEachQueuePerDutyCycle()
    {
        final CountingQueue busy = new CountingQueue(0, 1_000);
        final CountingQueue alsoBusy = new CountingQueue(1, 1_000);
        final CountingQueue light = new CountingQueue(2, 3);
        final QueueGroupAgent agent = agent(8, busy, alsoBusy, light);

        assertThat(agent.doWork()).isEqualTo(8 + 8 + 3);
        assertThat(busy.taken).isEqualTo(8);
        assertThat(alsoBusy.taken).isEqualTo(8);
        assertThat(light.taken).isEqualTo(3);
    }

    @Test
    void shouldGiveEveryBusyQueueTheSameShareOverManyCycles()
    {
        final CountingQueue[] queues = {new CountingQueue(0, 100_000), new CountingQueue(1, 100_000), new CountingQueue(2, 100_000)};
        final QueueGroupAgent agent = agent(32, queues);

        for (int i = 0; i < 100; i++)
        {
            agent.doWork();
        }

        for (final CountingQueue queue : queues)
        {
            assertThat(queue.taken).isEqualTo(3_200);
        }
    }

    @Test
    void shouldMoveOnWhenAQueueRunsEmptyAndCountRequests()
    {
        final CountingQueue empty = new CountingQueue(0, 0);
        final CountingQueue full = new CountingQueue(1, 50);
        final QueueGroupAgent agent = agent(16, empty, full);

        int total = 0;
        for (int i = 0; i < 10; i++)
        {
            total += agent.doWork();
        }

        assertThat(total).isEqualTo(50);
        assertThat(full.taken).isEqualTo(50);
        assertThat(agent.requestsCounter().get()).isEqualTo(50);
        assertThat(agent.queues().get(1).requests.get()).isEqualTo(50);
        assertThat(agent.doWork()).isZero();
    }

    @Test
    void shouldPublishBacklogAsOccupancyGauge()
    {
        final CountingQueue queue = new CountingQueue(0, 100);
        final QueueGroupAgent agent = agent(10, queue);
        clock.update(10_000_000);

        agent.doWork();

        assertThat(agent.queues().getFirst().occupancy.get()).isEqualTo(90);
    }

    @Test
    void shouldChargeEachQueueTheTimeOfItsPollsThatTookWork()
    {
        final SteppingClock loadClock = new SteppingClock();
        final CountingQueue busy = new CountingQueue(0, 1_000, loadClock, 700);
        final CountingQueue empty = new CountingQueue(1, 0, loadClock, 50);
        final CountingQueue light = new CountingQueue(2, 1, loadClock, 300);
        final List<BoundQueue> bound = java.util.Arrays.stream(new CountingQueue[] {busy, empty, light})
            .map(queue -> new BoundQueue("net", "dev", queue, counters)).toList();
        final QueueGroupAgent agent = new QueueGroupAgent("net.dev.g0", bound, 8, counters.counter("test_group_requests_total"),
            clock, loadClock);

        agent.doWork();
        agent.doWork();

        assertThat(bound.get(0).busyNs()).isEqualTo(2 * 700);
        assertThat(bound.get(1).busyNs()).as("an empty poll is charged to nobody of its own").isZero();
        assertThat(bound.get(2).busyNs()).as("the empty poll before it rides along, once: light ran dry after one cycle")
            .isEqualTo(50 + 300);
    }

    @Test
    void shouldRetireOnlyTheFaultyDeviceAndKeepServingTheOthersInTheGroup()
    {
        final Counters local = Counters.inMemory(64);
        final QueueFault faultA = new QueueFault("a", local.counter("test_faults_total", "device", "a"));
        final QueueFault faultB = new QueueFault("b", local.counter("test_faults_total", "device", "b"));
        final CountingQueue a0 = new CountingQueue(0, 100);
        final ThrowingQueue a1 = new ThrowingQueue(1);
        final CountingQueue b0 = new CountingQueue(0, 100);
        final List<BoundQueue> bound = List.of(
            new BoundQueue("net", "a", a0, local, faultA),
            new BoundQueue("net", "a", a1, local, faultA),
            new BoundQueue("net", "b", b0, local, faultB));
        final QueueGroupAgent agent = new QueueGroupAgent("net.load.w0", bound, 10, local.counter("test_group_requests_total"), clock);

        assertThat(agent.doWork()).isEqualTo(10 + 10);
        for (int i = 0; i < 5; i++)
        {
            agent.doWork();
        }

        assertThat(a1.polls).as("the faulty queue is not polled again").isEqualTo(1);
        assertThat(a0.taken).as("its device's other queues are retired with it").isEqualTo(10);
        assertThat(b0.taken).as("the other device keeps its service").isEqualTo(60);
        assertThat(bound.get(0).retired()).isTrue();
        assertThat(bound.get(2).retired()).isFalse();
        assertThat(faultA.counter().get()).isEqualTo(1);
        assertThat(faultB.counter().get()).isZero();
    }

    @Test
    void shouldNotAllocateInTheDutyCycleWhileMeasuringLoad()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final CountingQueue[] queues = {new CountingQueue(0, Long.MAX_VALUE), new CountingQueue(1, 0), new CountingQueue(2, Long.MAX_VALUE)};
        final QueueGroupAgent agent = agent(32, queues);
        long sink = 0;
        for (int i = 0; i < 200_000; i++)
        {
            sink += agent.doWork();
        }
        final long threadId = Thread.currentThread().threadId();

        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 1_000_000; i++)
        {
            sink += agent.doWork();
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated over a million duty cycles").isZero();
    }

    private QueueGroupAgent agent(final int batch, final CountingQueue... queues)
    {
        final List<BoundQueue> bound = java.util.Arrays.stream(queues)
            .map(queue -> new BoundQueue("net", "dev", queue, counters))
            .toList();
        return new QueueGroupAgent("net.dev.g0", bound, batch, counters.counter("test_group_requests_total"), clock);
    }

    /** A load clock that moves only when a queue's poll says it took time. */
    private static final class SteppingClock implements org.agrona.concurrent.NanoClock
    {
        long now = 1_000;

        @Override
        public long nanoTime()
        {
            return now;
        }
    }

    private static final class ThrowingQueue implements DeviceQueue
    {
        private final int index;
        int polls;

        ThrowingQueue(final int index)
        {
            this.index = index;
        }

        @Override
        public int index()
        {
            return index;
        }

        @Override
        public int poll(final int limit)
        {
            polls++;
            throw new IllegalStateException("descriptor chain loops");
        }

        @Override
        public long backlog()
        {
            return 0;
        }
    }

    private static final class CountingQueue implements DeviceQueue
    {
        private final int index;
        private final SteppingClock pollClock;
        private final long pollNs;
        private long available;
        long taken;

        CountingQueue(final int index, final long available)
        {
            this(index, available, null, 0);
        }

        CountingQueue(final int index, final long available, final SteppingClock pollClock, final long pollNs)
        {
            this.index = index;
            this.available = available;
            this.pollClock = pollClock;
            this.pollNs = pollNs;
        }

        @Override
        public int index()
        {
            return index;
        }

        @Override
        public int poll(final int limit)
        {
            if (null != pollClock)
            {
                pollClock.now += pollNs;
            }
            final int n = (int)Math.min(limit, available);
            available -= n;
            taken += n;
            return n;
        }

        @Override
        public long backlog()
        {
            return available;
        }
    }
}
