package io.vplane.blockstore.qos;

import io.vplane.blockstore.request.BlockRequest;

import java.util.function.Consumer;

/**
 * A bounded double-ended queue of requests over a preallocated array, owned by one thread (the
 * worker running the disk queue): the wait and the pending queue. Requests go back to its head
 * when a backend upgrade takes them from the pending queue, in their order. As a {@link Consumer}
 * it appends, so a multi-producer inbox drains into it without a lambda.
 */
public final class RequestRing implements Consumer<BlockRequest>
{
    private final BlockRequest[] entries;
    private final int mask;
    /** Index of the first entry; wraps through the long range, masked on access. */
    private long head;
    private long tail;

    /** @param capacity rounded up to a power of two */
    public RequestRing(final int capacity)
    {
        final int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.entries = new BlockRequest[size];
        this.mask = size - 1;
    }

    public int capacity()
    {
        return entries.length;
    }

    public int size()
    {
        return (int)(tail - head);
    }

    public boolean isEmpty()
    {
        return tail == head;
    }

    public int free()
    {
        return entries.length - size();
    }

    /** Appends; the caller checked {@link #free()}. */
    @Override
    public void accept(final BlockRequest request)
    {
        addLast(request);
    }

    public void addLast(final BlockRequest request)
    {
        if (size() == entries.length)
        {
            throw new IllegalStateException("request ring full (" + entries.length + ")");
        }
        entries[(int)(tail++ & mask)] = request;
    }

    /** Puts a request back in front of the others. */
    public void addFirst(final BlockRequest request)
    {
        if (size() == entries.length)
        {
            throw new IllegalStateException("request ring full (" + entries.length + ")");
        }
        entries[(int)(--head & mask)] = request;
    }

    /** @return the first request, or null when empty */
    public BlockRequest peekFirst()
    {
        return head == tail ? null : entries[(int)(head & mask)];
    }

    /** @return the first request, removed, or null when empty */
    public BlockRequest pollFirst()
    {
        if (head == tail)
        {
            return null;
        }
        final int at = (int)(head++ & mask);
        final BlockRequest request = entries[at];
        entries[at] = null;
        return request;
    }

    /** @return the last request, removed, or null when empty */
    public BlockRequest pollLast()
    {
        if (head == tail)
        {
            return null;
        }
        final int at = (int)(--tail & mask);
        final BlockRequest request = entries[at];
        entries[at] = null;
        return request;
    }
}
