package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskFlow;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EventFd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request an asynchronous backend completes goes from the backend's thread straight to a front
 * end that takes replies from any thread, published there, without the worker; the worker is woken
 * only when it has something to do: room again for requests it holds, or none left in flight
 * during a change of service. A front end that does not take replies from any thread still gets
 * them from its worker.
 */
class DirectRemoteCompletionTest
{
    private static final String BACKEND_THREAD = "backend-thread";
    private final Counters counters = Counters.inMemory(1024);
    private final DiskMetrics metrics = new DiskMetrics(counters, "d", "t");
    private final DiskFlow flow = new SliceScheduler(SchedulerSettings.DEFAULTS, System.nanoTime())
        .register("d", "t", DiskQos.UNLIMITED, 1, counters);
    private final HeldRemote backend = new HeldRemote(2);
    private final DiskQueue queue = new DiskQueue(0, 64, new RequestExecutor("d", backend, metrics,
        new ErrorLog(counters), NbdLimits.DEFAULTS.zeroSliceBytes()), flow.gate(0));

    @AfterEach
    void close()
    {
        queue.close();
        metrics.close();
    }

    private void offer(final RecordingOrigin origin, final int count)
    {
        for (int tag = 1; tag <= count; tag++)
        {
            assertThat(queue.offer(new BlockRequest(origin).set(BlockOp.TRIM, 0, tag, tag * 4096L, 4096, System.nanoTime())))
                .isTrue();
        }
    }

    @Test
    void shouldReplyFromTheBackendThreadAndWakeTheWorkerOnlyWhenItHasRoomAgain() throws Exception
    {
        final RecordingOrigin origin = new RecordingOrigin(true);
        offer(origin, 3);
        queue.poll(32);
        assertThat(backend.tags()).containsExactly(1L, 2L); // its room; 3 pending
        assertThat(queue.wakeup().arm()).as("nothing the worker can do while the backend is full").isTrue();

        onBackendThread(backend::completeOne);

        assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(1L);
        assertThat(origin.completingThreads).containsExactly(BACKEND_THREAD);
        assertThat(origin.published).isEqualTo(1);
        assertThat(EventFd.read(queue.wakeup().eventFd())).as("room again: the worker was woken").isEqualTo(1);

        queue.poll(32);
        assertThat(backend.tags()).containsExactly(1L, 2L, 3L);
        onBackendThread(backend::completeOne);
        EventFd.read(queue.wakeup().eventFd()); // full again before it: woken, though nothing waits now
        assertThat(queue.wakeup().arm()).isTrue();
        onBackendThread(backend::completeOne);
        assertThat(EventFd.read(queue.wakeup().eventFd())).as("nothing for the worker: no wakeup").isNegative();

        assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(1L, 2L, 3L);
        assertThat(origin.completingThreads).containsOnly(BACKEND_THREAD);
        assertThat(queue.backlog()).isZero();
        assertThat(queue.poll(32)).as("nothing left for the worker").isZero();
    }

    @Test
    void shouldWakeTheWorkerWhenTheLastRequestEndsDuringAChangeOfService() throws Exception
    {
        final RecordingOrigin origin = new RecordingOrigin(true);
        offer(origin, 2);
        queue.poll(32);
        queue.askStop();
        queue.poll(32);
        assertThat(queue.stopped()).isFalse();
        onBackendThread(backend::completeOne);
        assertThat(queue.wakeup().arm()).isTrue();

        onBackendThread(backend::completeOne);

        assertThat(EventFd.read(queue.wakeup().eventFd())).as("none in flight: the worker goes on with the change").isEqualTo(1);
        queue.poll(32);
        assertThat(queue.stopped()).isTrue();
    }

    @Test
    void shouldLeaveRepliesToTheWorkerForAFrontEndThatTakesThemOnlyFromIt() throws Exception
    {
        final RecordingOrigin origin = new RecordingOrigin(false);
        offer(origin, 1);
        queue.poll(32);

        onBackendThread(backend::completeOne);
        assertThat(origin.completed).isEmpty();
        queue.poll(32);

        assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(1L);
        assertThat(origin.completingThreads).doesNotContain(BACKEND_THREAD);
    }

    private static void onBackendThread(final Runnable completion) throws InterruptedException
    {
        final Thread thread = new Thread(completion, BACKEND_THREAD);
        thread.start();
        thread.join();
    }
}
