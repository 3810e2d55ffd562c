package io.vplane.nic.vswitch;

/**
 * MAC learning table: (MAC, VLAN id, VNI) → port index, with aging. Used by the switch thread only.
 * Open addressing with at most {@value #MAX_PROBES} probes; an aged-out entry stays in place as a
 * reusable slot (so probe chains never break) until a new address takes it over. When all probes
 * are taken by live entries the address is not learned (counted) and its frames are flooded.
 */
final class MacTable
{
    static final int MAX_PROBES = 16;
    static final int LEARNED = 1;
    static final int MOVED = 2;
    static final int REFRESHED = 0;
    static final int FULL = -1;

    private final long[] keys;
    private final int[] vnis;
    private final int[] ports;
    private final long[] seenNs;
    private final int mask;
    private final long agingNs;

    MacTable(final int capacity, final long agingNs)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("MAC table capacity must be a power of two: " + capacity);
        }
        keys = new long[capacity];
        vnis = new int[capacity];
        ports = new int[capacity];
        seenNs = new long[capacity];
        mask = capacity - 1;
        this.agingNs = agingNs;
    }

    private static long key(final long mac, final int vlanId)
    {
        // +1 keeps a used key non-zero: 0 marks a never-used slot
        return mac | ((long)(vlanId + 1) << 48);
    }

    private static int hash(final long key, final int vni)
    {
        long h = (key ^ ((long)vni << 20)) * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 31;
        return (int)(h ^ (h >>> 17));
    }

    /** @return the port index, or -1 when unknown or aged out */
    int lookup(final long mac, final int vlanId, final int vni, final long nowNs)
    {
        final long key = key(mac, vlanId);
        int slot = hash(key, vni) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final long k = keys[slot];
            if (k == 0)
            {
                return -1;
            }
            if (k == key && vnis[slot] == vni)
            {
                return nowNs - seenNs[slot] > agingNs ? -1 : ports[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** @return {@link #LEARNED}, {@link #MOVED}, {@link #REFRESHED} or {@link #FULL} */
    int learn(final long mac, final int vlanId, final int vni, final int port, final long nowNs)
    {
        final long key = key(mac, vlanId);
        int slot = hash(key, vni) & mask;
        int reusable = -1;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final long k = keys[slot];
            if (k == key && vnis[slot] == vni)
            {
                final boolean expired = nowNs - seenNs[slot] > agingNs;
                final int previous = ports[slot];
                ports[slot] = port;
                seenNs[slot] = nowNs;
                return expired ? LEARNED : previous != port ? MOVED : REFRESHED;
            }
            if (k == 0)
            {
                return put(reusable >= 0 ? reusable : slot, key, vni, port, nowNs);
            }
            if (reusable < 0 && nowNs - seenNs[slot] > agingNs)
            {
                reusable = slot;
            }
            slot = (slot + 1) & mask;
        }
        return reusable >= 0 ? put(reusable, key, vni, port, nowNs) : FULL;
    }

    private int put(final int slot, final long key, final int vni, final int port, final long nowNs)
    {
        keys[slot] = key;
        vnis[slot] = vni;
        ports[slot] = port;
        seenNs[slot] = nowNs;
        return LEARNED;
    }

    /** Ages out at once every entry pointing at this port (it was detached). */
    void forgetPort(final int port, final long nowNs)
    {
        for (int slot = 0; slot < keys.length; slot++)
        {
            if (keys[slot] != 0 && ports[slot] == port)
            {
                seenNs[slot] = nowNs - agingNs - 1;
            }
        }
    }
}
