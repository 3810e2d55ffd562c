package io.vplane.engine.worker;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters of one worker, allocated when it is created and freed when it closes. The CPU is a
 * gauge rather than a label, so a live re-pin shows up without reallocating anything.
 */
public record WorkerCounters(
    AtomicCounter busyNs,
    AtomicCounter dutyCycles,
    AtomicCounter cpu,
    AtomicCounter inboxOfferFailures,
    AtomicCounter agentErrors) implements AutoCloseable
{
    public static WorkerCounters allocate(final Counters counters, final String pool, final String worker)
    {
        final WorkerCounters allocated = new WorkerCounters(
            counters.counter(EngineMetrics.WORKER_BUSY_NS_TOTAL, "pool", pool, "worker", worker),
            counters.counter(EngineMetrics.WORKER_DUTY_CYCLES_TOTAL, "pool", pool, "worker", worker),
            counters.gauge(EngineMetrics.WORKER_CPU, "pool", pool, "worker", worker),
            counters.counter(EngineMetrics.INBOX_OFFER_FAILURES_TOTAL, "pool", pool, "worker", worker),
            counters.counter(EngineMetrics.WORKER_AGENT_ERRORS_TOTAL, "pool", pool, "worker", worker));
        allocated.cpu.setRelease(-1);
        return allocated;
    }

    @Override
    public void close()
    {
        busyNs.close();
        dutyCycles.close();
        cpu.close();
        inboxOfferFailures.close();
        agentErrors.close();
    }
}
