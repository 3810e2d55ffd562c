package io.vplane.engine.worker;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import org.agrona.concurrent.status.AtomicCounter;

/** The counters of one worker, allocated when it is created and freed when it closes. */
public record WorkerCounters(AtomicCounter busyNs, AtomicCounter dutyCycles, AtomicCounter inboxOfferFailures, AtomicCounter agentErrors)
    implements AutoCloseable
{
    public static WorkerCounters allocate(final Counters counters, final String pool, final String worker, final int cpu)
    {
        final String cpuLabel = cpu < 0 ? "none" : Integer.toString(cpu);
        return new WorkerCounters(
            counters.counter(EngineMetrics.WORKER_BUSY_NS_TOTAL, "pool", pool, "worker", worker, "cpu", cpuLabel),
            counters.counter(EngineMetrics.WORKER_DUTY_CYCLES_TOTAL, "pool", pool, "worker", worker, "cpu", cpuLabel),
            counters.counter(EngineMetrics.INBOX_OFFER_FAILURES_TOTAL, "pool", pool, "worker", worker),
            counters.counter(EngineMetrics.WORKER_AGENT_ERRORS_TOTAL, "pool", pool, "worker", worker));
    }

    @Override
    public void close()
    {
        busyNs.close();
        dutyCycles.close();
        inboxOfferFailures.close();
        agentErrors.close();
    }
}
