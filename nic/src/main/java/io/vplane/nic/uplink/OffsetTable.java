package io.vplane.nic.uplink;

/**
 * Which pool entry a UMEM offset in the kernel's hands belongs to: an open-addressing table (linear
 * probing, deletion by backward shift) from frame offset to entry, built once. The kernel gives fill
 * addresses back in no promised order, and a descriptor's offset must be checked against what was
 * lent before the frame is trusted: an offset not in the table is no buffer of ours.
 */
final class OffsetTable
{
    private static final long FREE = -1;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private int size;

    /** @param capacity most entries held at once */
    OffsetTable(final int capacity)
    {
        final int slots = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1) << 1;
        keys = new long[slots];
        values = new int[slots];
        mask = slots - 1;
        clear();
    }

    void clear()
    {
        java.util.Arrays.fill(keys, FREE);
        size = 0;
    }

    int size()
    {
        return size;
    }

    /** @param offset not negative, not in the table */
    void put(final long offset, final int value)
    {
        int slot = slot(offset);
        while (keys[slot] != FREE)
        {
            slot = (slot + 1) & mask;
        }
        keys[slot] = offset;
        values[slot] = value;
        size++;
    }

    /** @return the value the offset had, now removed, or -1 when it was not in the table */
    int remove(final long offset)
    {
        int slot = slot(offset);
        while (keys[slot] != offset)
        {
            if (keys[slot] == FREE)
            {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
        final int value = values[slot];
        // backward shift: move up every later key of the run that may sit in the freed slot
        int hole = slot;
        int next = (slot + 1) & mask;
        while (keys[next] != FREE)
        {
            final int home = slot(keys[next]);
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                keys[hole] = keys[next];
                values[hole] = values[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        keys[hole] = FREE;
        size--;
        return value;
    }

    private int slot(final long offset)
    {
        final long h = offset * 0x9E3779B97F4A7C15L;
        return (int)(h >>> 40) & mask;
    }
}
