package io.vplane.engine.worker;

import io.vplane.config.IdleConfig;
import io.vplane.config.IdleStrategyKind;
import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WorkerTest
{
    private final Counters counters = Counters.inMemory(64);
    private final WorkerCounters workerCounters = WorkerCounters.allocate(counters, "test", "test-0");
    private final Worker worker = new Worker("test-0", -1, 16, new IdleConfig(IdleStrategyKind.BACKOFF, 1, 1, 1000, 100_000),
        workerCounters, Throwable::printStackTrace);

    @AfterEach
    void close()
    {
        worker.close();
    }

    @Test
    void shouldRunAnAgentFromAddUntilRemoveAndNeverAfterTheRemovalIsConfirmed()
    {
        worker.start();
        final CountingAgent agent = new CountingAgent();

        worker.add(agent).join();
        while (agent.cycles.get() < 100)
        {
            Thread.onSpinWait();
        }
        worker.remove(agent).join();
        final long cyclesAtRemoval = agent.cycles.get();
        final long later = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() < later)
        {
            Thread.onSpinWait();
        }

        assertThat(agent.cycles.get()).isEqualTo(cyclesAtRemoval);
        assertThat(agent.started.get()).isEqualTo(1);
        assertThat(agent.closed.get()).isEqualTo(1);
    }

    @Test
    void shouldCountDutyCyclesAndBusyTime()
    {
        worker.start();
        final CountingAgent agent = new CountingAgent();
        worker.add(agent).join();
        while (agent.cycles.get() < 1_000)
        {
            Thread.onSpinWait();
        }

        assertThat(workerCounters.dutyCycles().get()).isGreaterThanOrEqualTo(1_000);
        assertThat(workerCounters.busyNs().get()).isPositive();
        assertThat(worker.clock().nanoTime()).isPositive();
    }

    @Test
    void shouldFailTheFutureWhenRemovingAnAgentThatIsNotBound()
    {
        worker.start();

        assertThatThrownBy(() -> worker.remove(new CountingAgent()).join()).hasMessageContaining("is not bound to worker test-0");
    }

    @Test
    void shouldStopOnlyTheAgentThatThrowsAndKeepRunningTheOthers()
    {
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        final Worker shared = new Worker("test-1", -1, 16, new IdleConfig(IdleStrategyKind.BACKOFF, 1, 1, 1000, 100_000),
            WorkerCounters.allocate(counters, "test", "test-1"), reported::add);
        try
        {
            shared.start();
            final FaultingAgent faulty = new FaultingAgent();
            final CountingAgent healthy = new CountingAgent();
            shared.add(faulty).join();
            shared.add(healthy).join();
            while (healthy.cycles.get() < 1_000)
            {
                Thread.onSpinWait();
            }

            assertThat(faulty.cycles.get()).as("stopped at its first fault").isEqualTo(1);
            assertThat(faulty.closed.get()).isEqualTo(1);
            assertThat(counters.value("vplane_worker_agent_errors_total{pool=\"test\",worker=\"test-1\"}")).isEqualTo(1);
            assertThat(reported).singleElement().isInstanceOf(AgentStoppedException.class)
                .satisfies(ex -> assertThat(ex.getCause()).isInstanceOf(InternalError.class));
            shared.remove(faulty).join();
            shared.remove(healthy).join();
            assertThat(shared.isClosed()).isFalse();
        }
        finally
        {
            shared.close();
        }
    }

    /** Faults the way an access to guest memory whose file shrank does (SIGBUS as InternalError). */
    private static final class FaultingAgent implements Agent
    {
        final AtomicLong cycles = new AtomicLong();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public int doWork()
        {
            cycles.incrementAndGet();
            throw new InternalError("a fault occurred in an unsafe memory access operation");
        }

        @Override
        public void onClose()
        {
            closed.incrementAndGet();
        }

        @Override
        public String roleName()
        {
            return "faulting";
        }
    }

    private static final class CountingAgent implements Agent
    {
        final AtomicLong cycles = new AtomicLong();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void onStart()
        {
            started.incrementAndGet();
        }

        @Override
        public int doWork()
        {
            cycles.incrementAndGet();
            return 1;
        }

        @Override
        public void onClose()
        {
            closed.incrementAndGet();
        }

        @Override
        public String roleName()
        {
            return "counting";
        }
    }
}
