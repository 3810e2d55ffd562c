package io.vplane.nic.vswitch;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A port for tests: emits the frames it is given, each in its own direct buffer between two guard
 * regions that are checked when the switch releases it, and keeps copies of what it transmits.
 */
final class TestPort extends NamedPort
{
    static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0xA5;

    private final IntPredicate vlans;
    private final ArrayDeque<byte[]> toSend = new ArrayDeque<>();
    private final List<UnsafeBuffer> inFlight = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();
    int guardViolations;
    int flushes;
    int txResult = TX_SENT;
    /** What {@link #wakeups()} returns; empty: the port cannot wake the switch. */
    java.util.List<io.vplane.engine.device.QueueWakeup> wakeups = java.util.List.of();

    TestPort(final String name, final PortRole role)
    {
        this(name, role, 0, vlan -> true);
    }

    TestPort(final String name, final PortRole role, final int vni, final IntPredicate vlans)
    {
        super(name, role, vni);
        this.vlans = vlans;
    }

    void offer(final byte[] frame)
    {
        toSend.add(frame);
    }

    byte[] lastSent()
    {
        return sent.isEmpty() ? null : sent.get(sent.size() - 1);
    }

    @Override
    public java.util.List<io.vplane.engine.device.QueueWakeup> wakeups()
    {
        return wakeups;
    }

    @Override
    public boolean carriesVlan(final int vlanId)
    {
        return vlans.test(vlanId);
    }

    @Override
    public int receive(final FrameBurst burst)
    {
        int added = 0;
        while (!toSend.isEmpty() && !burst.isFull())
        {
            final byte[] frame = toSend.poll();
            final ByteBuffer memory = ByteBuffer.allocateDirect(frame.length + 2 * GUARD);
            final UnsafeBuffer buffer = new UnsafeBuffer(memory);
            buffer.setMemory(0, buffer.capacity(), GUARD_BYTE);
            buffer.putBytes(GUARD, frame);
            inFlight.add(buffer);
            burst.add(BufferUtil.address(memory) + GUARD, frame.length, frame.length, inFlight.size() - 1);
            added++;
        }
        return added;
    }

    @Override
    public int transmit(final FrameBurst burst, final int index)
    {
        if (txResult == TX_REFUSED)
        {
            return TX_REFUSED;
        }
        final byte[] copy = new byte[burst.length(index)];
        burst.copyTo(index, 0, java.lang.foreign.MemorySegment.ofArray(copy), 0, copy.length);
        sent.add(copy);
        return txResult;
    }

    @Override
    public void release(final FrameBurst burst)
    {
        for (final UnsafeBuffer buffer : inFlight)
        {
            final int frameLength = buffer.capacity() - 2 * GUARD;
            for (int i = 0; i < GUARD; i++)
            {
                if (buffer.getByte(i) != GUARD_BYTE || buffer.getByte(GUARD + frameLength + i) != GUARD_BYTE)
                {
                    guardViolations++;
                    break;
                }
            }
        }
        inFlight.clear();
    }

    @Override
    public void flush()
    {
        flushes++;
    }
}
