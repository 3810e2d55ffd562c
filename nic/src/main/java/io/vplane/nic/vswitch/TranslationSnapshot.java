package io.vplane.nic.vswitch;

/**
 * An immutable open-addressing table of {@link TranslationEntry}s indexed by a hash of the IP,
 * linear probing, load at most one half, so a miss ends at the first empty slot. Each slot is four
 * {@code long}s in one array, so a hit usually touches one cache line:
 * <pre>
 * slot * 4 + 0: IP key high 64 bits
 * slot * 4 + 1: IP key low 64 bits
 * slot * 4 + 2: bit 63 in-use | local MAC (48 bits)
 * slot * 4 + 3: port index (16 bits) << 48 | global MAC (48 bits)
 * </pre>
 * A second small set holds the distinct global MACs, so "is this frame addressed to a global MAC"
 * is one probe too.
 */
public final class TranslationSnapshot
{
    static final TranslationSnapshot EMPTY = new TranslationSnapshot(new TranslationEntry[0], new int[0]);

    private static final int STRIDE = 4;
    private static final long USED = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private final long[] slots;
    private final int mask;
    private final long[] globalMacs;
    private final int globalMask;
    private final int size;

    TranslationSnapshot(final TranslationEntry[] entries, final int[] portIndexes)
    {
        final int capacity = capacityFor(entries.length);
        slots = new long[capacity * STRIDE];
        mask = capacity - 1;
        final int globalCapacity = capacityFor(entries.length);
        globalMacs = new long[globalCapacity];
        globalMask = globalCapacity - 1;
        for (int i = 0; i < entries.length; i++)
        {
            final TranslationEntry entry = entries[i];
            int slot = hash(entry.ipHi(), entry.ipLo()) & mask;
            while ((slots[slot * STRIDE + 2] & USED) != 0)
            {
                slot = (slot + 1) & mask;
            }
            final int base = slot * STRIDE;
            slots[base] = entry.ipHi();
            slots[base + 1] = entry.ipLo();
            slots[base + 2] = USED | entry.localMac();
            slots[base + 3] = ((long)portIndexes[i] << 48) | entry.globalMac();
            addGlobal(entry.globalMac());
        }
        size = entries.length;
    }

    private static int capacityFor(final int entries)
    {
        return Math.max(16, Integer.highestOneBit(Math.max(1, entries) * 2 - 1) << 1);
    }

    private void addGlobal(final long mac)
    {
        int slot = mixMac(mac) & globalMask;
        while (globalMacs[slot] != 0)
        {
            if (globalMacs[slot] == mac)
            {
                return;
            }
            slot = (slot + 1) & globalMask;
        }
        globalMacs[slot] = mac;
    }

    static int hash(final long hi, final long lo)
    {
        long h = lo * 0x9E37_79B9_7F4A_7C15L + hi;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int)(h ^ (h >>> 32));
    }

    private static int mixMac(final long mac)
    {
        final long h = mac * 0x9E37_79B9_7F4A_7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * @return the slot of the entry for this IP, or -1
     */
    public int find(final long hi, final long lo)
    {
        final long[] slots = this.slots;
        int slot = hash(hi, lo) & mask;
        while (true)
        {
            final int base = slot * STRIDE;
            if ((slots[base + 2] & USED) == 0)
            {
                return -1;
            }
            if (slots[base + 1] == lo && slots[base] == hi)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    public long localMac(final int slot)
    {
        return slots[slot * STRIDE + 2] & MAC_MASK;
    }

    public long globalMac(final int slot)
    {
        return slots[slot * STRIDE + 3] & MAC_MASK;
    }

    public int portIndex(final int slot)
    {
        return (int)(slots[slot * STRIDE + 3] >>> 48);
    }

    /** True when some entry uses {@code mac} as its global MAC. */
    public boolean isGlobalMac(final long mac)
    {
        int slot = mixMac(mac) & globalMask;
        while (true)
        {
            final long value = globalMacs[slot];
            if (value == mac)
            {
                return true;
            }
            if (value == 0)
            {
                return false;
            }
            slot = (slot + 1) & globalMask;
        }
    }

    public int size()
    {
        return size;
    }
}
