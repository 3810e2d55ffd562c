package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskFlow;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disk queue changes its service (backend upgrade) with requests at every stage: in flight at
 * the old backend, admitted and pending, waiting. Those in flight complete at the old backend;
 * the pending ones go back to the wait queue in order and, like the waiting ones, reach the new
 * backend once, in the order they came, a FLUSH behind the writes sent before it.
 */
class ServiceChangeTest
{
    private final Counters counters = Counters.inMemory(1024);
    private final DiskMetrics metrics = new DiskMetrics(counters, "d", "t");
    private final DiskFlow flow = new SliceScheduler(SchedulerSettings.DEFAULTS, System.nanoTime())
        .register("d", "t", DiskQos.UNLIMITED, 1, counters);
    private final HeldRemote oldBackend = new HeldRemote(4);
    private final HeldRemote newBackend = new HeldRemote(64);
    private final DiskQueue queue = new DiskQueue(0, 64, executor(oldBackend), flow.gate(0));
    private final RecordingOrigin origin = new RecordingOrigin();

    @AfterEach
    void close()
    {
        queue.close();
        metrics.close();
    }

    private RequestExecutor executor(final HeldRemote backend)
    {
        return new RequestExecutor("d", backend, metrics, new ErrorLog(counters), NbdLimits.DEFAULTS.zeroSliceBytes());
    }

    /** Tags 1..10 TRIM, 11 FLUSH, 12 TRIM. */
    private void offerTwelve()
    {
        for (int tag = 1; tag <= 12; tag++)
        {
            final BlockOp op = tag == 11 ? BlockOp.FLUSH : BlockOp.TRIM;
            assertThat(queue.offer(new BlockRequest(origin).set(op, 0, tag, tag * 4096L, op == BlockOp.FLUSH ? 0 : 4096,
                System.nanoTime()))).isTrue();
        }
    }

    @Test
    void shouldCompleteInFlightAtTheOldBackendAndSendTheRestToTheNewOneInOrder()
    {
        offerTwelve();
        queue.poll(32);
        assertThat(oldBackend.tags()).containsExactly(1L, 2L, 3L, 4L); // its room; 5..12 pending

        queue.askStop();
        queue.poll(32);
        assertThat(queue.stopped()).as("requests are still at the old backend").isFalse();
        assertThat(queue.requeued()).isEqualTo(8);
        assertThat(queue.receivesFromSockets()).isFalse();
        assertThat(queue.tryLend()).as("no socket is lent during a change").isFalse();

        oldBackend.completeAll();
        queue.poll(32);
        assertThat(queue.stopped()).isTrue();
        assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(1L, 2L, 3L, 4L);

        final RequestExecutor next = executor(newBackend);
        queue.resumeWith(next);
        queue.poll(32);
        assertThat(queue.resumed()).isTrue();
        queue.poll(32);
        newBackend.completeAll();
        queue.poll(32);

        assertThat(oldBackend.tags()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(newBackend.tags()).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(origin.completed).extracting(BlockRequest::tag)
            .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(origin.completed).extracting(BlockRequest::error).containsOnly(BlockError.NONE);
        assertThat(queue.backlog()).isZero();
        assertThat(queue.completed()).as("each request once, by the old service or the new").isEqualTo(12);
    }

    @Test
    void shouldGoOnWithTheOldBackendWhenTheChangeIsCalledOff()
    {
        offerTwelve();
        queue.poll(32);
        queue.askStop();
        queue.poll(32);
        queue.cancelStop();
        queue.poll(32);
        assertThat(queue.resumed()).isTrue();
        for (int i = 0; i < 4; i++)
        {
            oldBackend.completeAll();
            queue.poll(32);
        }

        assertThat(oldBackend.tags()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(origin.completed).extracting(BlockRequest::tag)
            .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    }
}
