package io.vplane.engine.counters;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.CountersManager;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A {@link CountersManager} whose allocation and freeing may be called from any thread, and which
 * gives every counter a registration id unique within the file. Allocation is a control-path
 * operation, so a lock is fine; updating a counter's value stays lock-free.
 */
final class ConcurrentCountersManager extends CountersManager
{
    private long nextRegistrationId = 1;

    ConcurrentCountersManager(
        final AtomicBuffer metadataBuffer,
        final AtomicBuffer valuesBuffer,
        final EpochClock epochClock,
        final long freeToReuseTimeoutMs)
    {
        super(metadataBuffer, valuesBuffer, StandardCharsets.US_ASCII, epochClock, freeToReuseTimeoutMs);
    }

    @Override
    public synchronized int allocate(final String label)
    {
        return register(super.allocate(label));
    }

    @Override
    public synchronized int allocate(final String label, final int typeId)
    {
        return register(super.allocate(label, typeId));
    }

    @Override
    public synchronized int allocate(final String label, final int typeId, final Consumer<MutableDirectBuffer> keyFunc)
    {
        return register(super.allocate(label, typeId, keyFunc));
    }

    @Override
    public synchronized int allocate(
        final int typeId,
        final DirectBuffer keyBuffer,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer labelBuffer,
        final int labelOffset,
        final int labelLength)
    {
        return register(super.allocate(typeId, keyBuffer, keyOffset, keyLength, labelBuffer, labelOffset, labelLength));
    }

    @Override
    public synchronized void free(final int counterId)
    {
        super.free(counterId);
    }

    @Override
    public synchronized int available()
    {
        return super.available();
    }

    // One allocate overload may delegate to another: a counter keeps the first id it was given.
    private int register(final int counterId)
    {
        if (DEFAULT_REGISTRATION_ID == getCounterRegistrationId(counterId))
        {
            setCounterRegistrationId(counterId, nextRegistrationId++);
        }
        return counterId;
    }
}
