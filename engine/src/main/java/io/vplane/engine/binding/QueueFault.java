package io.vplane.engine.binding;

import io.vplane.engine.ordering.FieldHandles;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether one device's queues are retired after a fault in one of their polls. Shared by every
 * queue of the device, whichever groups and workers they are in: a group that holds queues of
 * several devices skips the faulty device's queues and keeps serving the others.
 */
public final class QueueFault
{
    private static final Logger LOG = LoggerFactory.getLogger(QueueFault.class);
    private static final VarHandle RETIRED = FieldHandles.of(MethodHandles.lookup(), "retired", boolean.class);

    private final String device;
    private final AtomicCounter faults;
    @SuppressWarnings("unused") // through RETIRED
    private boolean retired;

    /** @param faults counts the faults that retired the device (at most one per binding of the device) */
    public QueueFault(final String device, final AtomicCounter faults)
    {
        this.device = device;
        this.faults = faults;
    }

    /** Read on every poll: an opaque read, no fence on the hot path. */
    boolean isRetired()
    {
        return (boolean)RETIRED.getOpaque(this);
    }

    /** Retires the device once: the first fault counts and logs, later ones (other workers) only return. */
    void retire(final String queue, final Throwable fault)
    {
        if (RETIRED.compareAndSet(this, false, true))
        {
            faults.incrementRelease();
            LOG.warn("device {} retired from its workers: poll of queue {} threw {}", device, queue, fault.toString());
        }
    }

    AtomicCounter counter()
    {
        return faults;
    }
}
