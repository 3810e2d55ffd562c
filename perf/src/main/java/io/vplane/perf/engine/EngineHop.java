package io.vplane.perf.engine;

import io.vplane.config.IdleConfig;
import io.vplane.config.IdleStrategyKind;
import io.vplane.engine.binding.BoundQueue;
import io.vplane.engine.binding.QueueGroupAgent;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.ring.DescriptorHandler;
import io.vplane.engine.ring.DescriptorRing;
import io.vplane.engine.worker.Worker;
import io.vplane.engine.worker.WorkerCounters;

import java.util.List;

/**
 * The engine's path for one hop, driven by the caller's thread: descriptors offered to a
 * {@link DescriptorRing} are taken by a queue-group agent running inside a worker's duty cycle
 * (the worker's thread is not started; the benchmark calls {@code doWork()} itself).
 */
final class EngineHop implements AutoCloseable
{
    private final DescriptorRing ring;
    private final Worker worker;
    private final SummingQueue queue;

    EngineHop(final int ringCapacity, final int batch) throws Exception
    {
        final Counters counters = Counters.inMemory(64);
        queue = new SummingQueue();
        ring = new DescriptorRing(ringCapacity, queue);
        queue.ring = ring;
        worker = new Worker("bench-0", -1, 16, new IdleConfig(IdleStrategyKind.BUSY_SPIN, 0, 0, 1, 1),
            WorkerCounters.allocate(counters, "bench", "bench-0"), Throwable::printStackTrace);
        final QueueGroupAgent agent = new QueueGroupAgent("bench.dev.g0",
            List.of(new BoundQueue("bench", "dev", queue, counters)), batch,
            counters.counter("bench_group_requests_total"), worker.clock());
        worker.add(agent);
        worker.doWork();
    }

    /** The ring the producing stage offers into. */
    DescriptorRing ring()
    {
        return ring;
    }

    int consumeOneDutyCycle() throws Exception
    {
        return worker.doWork();
    }

    long sum()
    {
        return queue.sum;
    }

    @Override
    public void close()
    {
        worker.onClose();
    }

    private static final class SummingQueue implements DeviceQueue, DescriptorHandler
    {
        DescriptorRing ring;
        long sum;

        @Override
        public int index()
        {
            return 0;
        }

        @Override
        public int poll(final int limit)
        {
            return ring.drain(limit);
        }

        @Override
        public void onDescriptor(final long descriptor)
        {
            sum += descriptor;
        }

        @Override
        public long backlog()
        {
            return ring.size();
        }
    }
}
