package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskFlow;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.binding.BoundQueue;
import io.vplane.engine.binding.QueueGroupAgent;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disk queue's polls report the work done (a request when it is taken in and again when it is
 * completed), which keeps its worker from backing off while requests move through; the requests
 * served, which the tuner and {@code ctl placement show} count, are its completions, each once.
 */
class DiskQueueCompletionsTest
{
    private static final int READS = 10;

    private final Counters counters = Counters.inMemory(1024);
    private final DiskMetrics metrics = new DiskMetrics(counters, "d", "t");
    private final DiskFlow flow = new SliceScheduler(SchedulerSettings.DEFAULTS, System.nanoTime())
        .register("d", "t", DiskQos.UNLIMITED, 1, counters);
    private final DiskQueue queue = new DiskQueue(0, 64,
        new RequestExecutor("d", new RecordingBackend(), metrics, new ErrorLog(counters), NbdLimits.DEFAULTS.zeroSliceBytes()),
        flow.gate(0));
    private final RecordingOrigin origin = new RecordingOrigin();

    @AfterEach
    void close()
    {
        origin.completed.forEach(request -> request.takeReply().release());
        queue.close();
        metrics.close();
    }

    @Test
    void shouldCountEachReadServedOnceWhileItsPollsReportTheWorkDone()
    {
        final BoundQueue bound = new BoundQueue("blk", "d", queue, counters);
        final QueueGroupAgent agent = new QueueGroupAgent("blk.d.g0", List.of(bound), 32,
            counters.counter("test_group_requests_total"), SystemNanoClock.INSTANCE);
        for (int tag = 1; tag <= READS; tag++)
        {
            assertThat(queue.offer(new BlockRequest(origin).set(BlockOp.READ, 0, tag, tag * 4096L, 4096, System.nanoTime())))
                .isTrue();
        }

        int work = 0;
        for (int polls = 0; origin.completed.size() < READS && polls < 1_000; polls++)
        {
            work += agent.doWork();
        }

        assertThat(origin.completed).hasSize(READS);
        assertThat(work).as("taken in, then completed: the worker saw work at each step").isEqualTo(2 * READS);
        assertThat(bound.requests()).as("the polls' count").isEqualTo(2 * READS);
        assertThat(queue.completed()).isEqualTo(READS);
        assertThat(bound.served()).as("what the tuner counts").isEqualTo(READS);
        assertThat(agent.doWork()).as("nothing left: the worker may back off").isZero();
        assertThat(bound.served()).isEqualTo(READS);
    }
}
