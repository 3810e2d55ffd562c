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

    private QueueGroupAgent agent(final int batch, final CountingQueue... queues)
    {
        final List<BoundQueue> bound = java.util.Arrays.stream(queues)
            .map(queue -> new BoundQueue("net", "dev", queue, counters))
            .toList();
        return new QueueGroupAgent("net.dev.g0", bound, batch, counters.counter("test_group_requests_total"), clock);
    }

    private static final class CountingQueue implements DeviceQueue
    {
        private final int index;
        private long available;
        long taken;

        CountingQueue(final int index, final long available)
        {
            this.index = index;
            this.available = available;
        }

        @Override
        public int index()
        {
            return index;
        }

        @Override
        public int poll(final int limit)
        {
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
