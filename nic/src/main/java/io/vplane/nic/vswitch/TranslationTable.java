package io.vplane.nic.vswitch;

import io.vplane.engine.ordering.FieldHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IP-hash MAC translation table. Control threads change it; the switch reads it without locks.
 *
 * <p>Copy-on-write: each change builds a new immutable {@link TranslationSnapshot} and publishes it
 * with a release store; the switch takes it with one acquire load at the start of a burst and uses
 * that one snapshot for every frame of the burst. So a change takes effect at the next burst, and no
 * frame can see a half-updated table. A seqlock was not chosen: its readers would have to copy each
 * entry out and retry on a concurrent write, and holding one consistent view for a whole burst would
 * mean retrying the whole burst; changes are rare (operator commands), so paying an O(entries) copy
 * on the control thread keeps the per-frame cost at a plain array probe. Old snapshots are
 * reclaimed by the GC once no burst holds them.
 */
public final class TranslationTable
{
    private static final VarHandle CURRENT = FieldHandles.of(MethodHandles.lookup(), "current", TranslationSnapshot.class);

    private final PortDirectory ports;
    private final int maxEntries;
    private final Map<IpKey, TranslationEntry> entries = new LinkedHashMap<>();
    @SuppressWarnings("unused") // accessed through CURRENT
    private TranslationSnapshot current = TranslationSnapshot.EMPTY;

    public TranslationTable(final PortDirectory ports, final int maxEntries)
    {
        this.ports = ports;
        this.maxEntries = maxEntries;
    }

    /** The snapshot to use for one burst; acquire pairs with the release in {@link #publish()}. */
    public TranslationSnapshot snapshot()
    {
        return (TranslationSnapshot)CURRENT.getAcquire(this);
    }

    /**
     * Adds or replaces the entry for its IP.
     *
     * @return the entry it replaced, or null
     */
    public synchronized TranslationEntry put(final TranslationEntry entry)
    {
        final IpKey key = new IpKey(entry.ipHi(), entry.ipLo());
        if (!entries.containsKey(key) && entries.size() == maxEntries)
        {
            throw new IllegalStateException("translation table is full (" + maxEntries + " entries); cannot add " + entry);
        }
        ports.indexOf(entry.port());
        final TranslationEntry previous = entries.put(key, entry);
        publish();
        return previous;
    }

    /** Replaces all entries at once: the switch sees either the old set or the new one. */
    public synchronized void replaceAll(final Collection<TranslationEntry> newEntries)
    {
        if (newEntries.size() > maxEntries)
        {
            throw new IllegalStateException("translation table holds at most " + maxEntries + " entries: " + newEntries.size());
        }
        final Map<IpKey, TranslationEntry> next = new LinkedHashMap<>();
        for (final TranslationEntry entry : newEntries)
        {
            ports.indexOf(entry.port());
            next.put(new IpKey(entry.ipHi(), entry.ipLo()), entry);
        }
        entries.clear();
        entries.putAll(next);
        publish();
    }

    /** @return the removed entry, or null when the IP had none */
    public synchronized TranslationEntry remove(final long ipHi, final long ipLo)
    {
        final TranslationEntry removed = entries.remove(new IpKey(ipHi, ipLo));
        if (null != removed)
        {
            publish();
        }
        return removed;
    }

    public synchronized List<TranslationEntry> entries()
    {
        return new ArrayList<>(entries.values());
    }

    public synchronized int size()
    {
        return entries.size();
    }

    private void publish()
    {
        final TranslationEntry[] all = entries.values().toArray(TranslationEntry[]::new);
        final int[] indexes = new int[all.length];
        for (int i = 0; i < all.length; i++)
        {
            indexes[i] = ports.indexOf(all[i].port());
        }
        // the snapshot is fully built before it becomes visible: release orders its writes first
        CURRENT.setRelease(this, new TranslationSnapshot(all, indexes));
    }

    private record IpKey(long hi, long lo)
    {
    }
}
