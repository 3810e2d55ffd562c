package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/** Counters of the table and of forwarding decisions; same plain-then-publish scheme as {@link PortCounters}. */
final class SwitchCounters implements AutoCloseable
{
    private final AtomicCounter hitsCounter;
    private final AtomicCounter missesCounter;
    private final AtomicCounter translationsOutCounter;
    private final AtomicCounter translationsInCounter;
    private final AtomicCounter vmToVmCounter;
    private final AtomicCounter floodsCounter;
    private final AtomicCounter learnedCounter;
    private final AtomicCounter movesCounter;
    private final AtomicCounter tableFullCounter;
    private final AtomicCounter copiesCounter;
    private final AtomicCounter proxyArpCounter;
    private final AtomicCounter proxyNdCounter;
    final AtomicCounter tableEntries;
    long hits;
    long misses;
    long translationsOut;
    long translationsIn;
    long vmToVm;
    long floods;
    long learned;
    long moves;
    long tableFull;
    long copies;
    long proxyArp;
    long proxyNd;

    SwitchCounters(final Counters counters, final String name)
    {
        hitsCounter = counters.counter(VswitchMetrics.TABLE_HITS_TOTAL, "switch", name);
        missesCounter = counters.counter(VswitchMetrics.TABLE_MISSES_TOTAL, "switch", name);
        translationsOutCounter = counters.counter(VswitchMetrics.TRANSLATIONS_TOTAL, "switch", name, "direction", "to_global");
        translationsInCounter = counters.counter(VswitchMetrics.TRANSLATIONS_TOTAL, "switch", name, "direction", "to_local");
        vmToVmCounter = counters.counter(VswitchMetrics.VM_TO_VM_TOTAL, "switch", name);
        floodsCounter = counters.counter(VswitchMetrics.FLOODS_TOTAL, "switch", name);
        learnedCounter = counters.counter(VswitchMetrics.MAC_LEARNED_TOTAL, "switch", name);
        movesCounter = counters.counter(VswitchMetrics.MAC_MOVES_TOTAL, "switch", name);
        tableFullCounter = counters.counter(VswitchMetrics.MAC_TABLE_FULL_TOTAL, "switch", name);
        copiesCounter = counters.counter(VswitchMetrics.COPIES_TOTAL, "switch", name);
        proxyArpCounter = counters.counter(VswitchMetrics.PROXY_REPLIES_TOTAL, "switch", name, "protocol", "arp");
        proxyNdCounter = counters.counter(VswitchMetrics.PROXY_REPLIES_TOTAL, "switch", name, "protocol", "nd");
        tableEntries = counters.gauge(VswitchMetrics.TABLE_ENTRIES, "switch", name);
    }

    void flush()
    {
        hits = PortCounters.publish(hitsCounter, hits);
        misses = PortCounters.publish(missesCounter, misses);
        translationsOut = PortCounters.publish(translationsOutCounter, translationsOut);
        translationsIn = PortCounters.publish(translationsInCounter, translationsIn);
        vmToVm = PortCounters.publish(vmToVmCounter, vmToVm);
        floods = PortCounters.publish(floodsCounter, floods);
        learned = PortCounters.publish(learnedCounter, learned);
        moves = PortCounters.publish(movesCounter, moves);
        tableFull = PortCounters.publish(tableFullCounter, tableFull);
        copies = PortCounters.publish(copiesCounter, copies);
        proxyArp = PortCounters.publish(proxyArpCounter, proxyArp);
        proxyNd = PortCounters.publish(proxyNdCounter, proxyNd);
    }

    @Override
    public void close()
    {
        for (final AtomicCounter counter : new AtomicCounter[] {hitsCounter, missesCounter, translationsOutCounter,
            translationsInCounter, vmToVmCounter, floodsCounter, learnedCounter, movesCounter, tableFullCounter,
            copiesCounter, proxyArpCounter, proxyNdCounter, tableEntries})
        {
            counter.close();
        }
    }
}
