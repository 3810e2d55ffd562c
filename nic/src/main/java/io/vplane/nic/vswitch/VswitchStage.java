package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.QueueWakeup;
import io.vplane.engine.ordering.FieldHandles;
import io.vplane.nic.frame.Arp;
import io.vplane.nic.frame.FrameParser;
import io.vplane.nic.frame.LinkLayerRewriter;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.ParsedFrame;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The switch stage. {@link #doWork(int)} runs on one data-path thread: it takes a burst from each
 * port in turn and, for each frame, parses it, applies anti-spoofing, learns the source MAC in its
 * segment, answers ARP/ND from the table when proxying, and forwards it:
 * <ul>
 * <li>from the uplink to a global MAC: destination MAC global → local of the VM owning the
 *     destination IP, delivered to that VM's port (no entry: dropped, {@code no_route});</li>
 * <li>from a VM to an IP of another VM on the host: delivered to that VM's port, its destination
 *     MAC set to that VM's local MAC when it was another (the global MAC, a gateway's);</li>
 * <li>otherwise plain L2 (learned port, or flood within the segment); when it leaves through the
 *     uplink and its source IP is a table entry of this port, source MAC local → global.</li>
 * </ul>
 * ARP and NDP hardware addresses are rewritten with the Ethernet header. Headers are rewritten in
 * place; the destination port copies when the frame must move into another memory (counted).
 *
 * <p>Control threads call {@link #attach}, {@link #detach} and {@link #table()}; ports and the table
 * are copy-on-write snapshots taken with an acquire load once per burst.
 */
public final class VswitchStage implements AutoCloseable
{
    private static final VarHandle PORTS = FieldHandles.of(MethodHandles.lookup(), "publishedPorts", PortSlot[].class);

    private final VswitchConfig settings;
    private final Counters counters;
    private final NanoClock clock;
    private final PortDirectory directory;
    private final TranslationTable table;
    private final FrameParser parser;
    private final ParsedFrame parsed = new ParsedFrame();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final FrameBurst burst;
    private final MacTable macs;
    private final SwitchCounters switchCounters;
    private final boolean antiSpoofing;
    private final boolean proxyArp;
    private final boolean proxyNd;
    private final PortWakeups wakeups = new PortWakeups();

    // written by control threads under the monitor, read by the data thread with acquire
    @SuppressWarnings("unused")
    private PortSlot[] publishedPorts = new PortSlot[0];

    // data-thread state
    private PortSlot[] active = new PortSlot[0];
    private PortSlot[] byIndex;
    private PortSlot[] touched;
    private int touchedCount;
    private int nextPort;
    private long nowNs;
    // per-burst memo: frames of one burst mostly share a source (one VM, one peer behind the uplink)
    private long lastSrcIpHi;
    private long lastSrcIpLo;
    private int lastSrcSlot;
    private long lastLearnedMac;
    private int lastLearnedVlan;

    public VswitchStage(final VswitchConfig settings, final Counters counters, final NanoClock clock)
    {
        this.settings = settings;
        this.counters = counters;
        this.clock = clock;
        this.directory = new PortDirectory(VswitchConfig.MAX_PORTS);
        this.table = new TranslationTable(directory, settings.maxTableEntries());
        this.parser = new FrameParser(settings.maxVlanTags(), settings.maxFrameBytes());
        this.burst = new FrameBurst(settings.burstSize());
        this.macs = new MacTable(settings.macTableSize(), TimeUnit.MILLISECONDS.toNanos(settings.macAgingMs()));
        this.switchCounters = new SwitchCounters(counters, settings.name());
        this.antiSpoofing = settings.antiSpoofing();
        this.proxyArp = settings.proxyArp();
        this.proxyNd = settings.proxyNd();
        this.byIndex = new PortSlot[VswitchConfig.MAX_PORTS];
        this.touched = new PortSlot[VswitchConfig.MAX_PORTS];
    }

    public VswitchConfig settings()
    {
        return settings;
    }

    /** The translation table; changes take effect at the next burst. */
    public TranslationTable table()
    {
        return table;
    }

    /** Adds a port; the switch starts polling it at its next cycle. */
    public synchronized void attach(final SwitchPort port)
    {
        final int index = directory.indexOf(port.name());
        final PortSlot[] current = (PortSlot[])PORTS.getAcquire(this);
        for (final PortSlot slot : current)
        {
            if (slot.index == index)
            {
                throw new IllegalStateException("port '" + port.name() + "' is already attached to " + settings.name());
            }
        }
        final PortSlot[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new PortSlot(port, index, new PortCounters(counters, settings.name(), port.name()));
        PORTS.setRelease(this, next);
        wakeups.ringBell();
    }

    /**
     * Removes a port. The switch stops calling it at its next cycle, then forgets its MACs, frees its
     * counters and calls {@link SwitchPort#detached()} from the data-path thread.
     *
     * @return false when no such port was attached
     */
    public synchronized boolean detach(final String name)
    {
        final PortSlot[] current = (PortSlot[])PORTS.getAcquire(this);
        final List<PortSlot> next = new ArrayList<>();
        for (final PortSlot slot : current)
        {
            if (!slot.port.name().equals(name))
            {
                next.add(slot);
            }
        }
        if (next.size() == current.length)
        {
            return false;
        }
        PORTS.setRelease(this, next.toArray(PortSlot[]::new));
        wakeups.ringBell();
        return true;
    }

    /** Removes this very port (not another of the same name), as {@link #detach(String)} does. */
    public synchronized boolean detach(final SwitchPort port)
    {
        final PortSlot[] current = (PortSlot[])PORTS.getAcquire(this);
        for (final PortSlot slot : current)
        {
            if (slot.port == port)
            {
                return detach(port.name());
            }
        }
        return false;
    }

    public List<String> ports()
    {
        final List<String> names = new ArrayList<>();
        for (final PortSlot slot : (PortSlot[])PORTS.getAcquire(this))
        {
            names.add(slot.port.name());
        }
        return names;
    }

    /** How the switch's worker sleeps until a port has frames (see {@link PortWakeups}). */
    public QueueWakeup wakeup()
    {
        return wakeups;
    }

    /**
     * One cycle: a burst from each port, at most {@code frameLimit} frames in all (at least one burst).
     *
     * @return frames received
     */
    public int doWork(final int frameLimit)
    {
        nowNs = clock.nanoTime();
        refreshPorts();
        final PortSlot[] ports = active;
        final int count = ports.length;
        int frames = 0;
        for (int i = 0; i < count && (i == 0 || frames < frameLimit); i++)
        {
            final PortSlot ingress = ports[(nextPort + i) % count];
            burst.clear();
            try
            {
                final int received = ingress.port.receive(burst);
                if (received > 0)
                {
                    switchBurst(ingress, table.snapshot());
                    ingress.port.release(burst);
                    frames += received;
                }
            }
            catch (final Throwable ex)
            {
                // a fault on the ingress guest's memory: that port drops the burst, the others go on
                if (!ingress.port.contain(ex))
                {
                    throw ex;
                }
                burst.clear();
            }
        }
        if (count > 0)
        {
            nextPort = (nextPort + 1) % count;
        }
        for (int i = 0; i < touchedCount; i++)
        {
            final PortSlot slot = touched[i];
            slot.touched = false;
            slot.port.flush();
        }
        touchedCount = 0;
        for (final PortSlot slot : ports)
        {
            slot.counters.flush();
        }
        switchCounters.flush();
        return frames;
    }

    private void refreshPorts()
    {
        final PortSlot[] published = (PortSlot[])PORTS.getAcquire(this);
        if (published == active)
        {
            return;
        }
        // before a port leaves for good: the worker stops waiting on its kicks
        wakeups.update(active, published);
        final PortSlot[] next = new PortSlot[byIndex.length];
        for (final PortSlot slot : published)
        {
            next[slot.index] = slot;
        }
        for (final PortSlot old : active)
        {
            if (next[old.index] != old)
            {
                macs.forgetPort(old.index, nowNs);
                old.counters.flush();
                old.counters.close();
                old.port.detached();
            }
        }
        byIndex = next;
        active = published;
        nextPort = 0;
        switchCounters.tableEntries.setRelease(table.size());
    }

    private void switchBurst(final PortSlot ingress, final TranslationSnapshot snapshot)
    {
        final FrameBurst burst = this.burst;
        lastSrcSlot = Integer.MIN_VALUE;
        lastLearnedMac = -1;
        final int count = burst.count();
        if (ingress.isolate)
        {
            // all frames' starts first, in one short loop: the reads of the guest's buffers (cache
            // misses, the lines come from the core that wrote them) overlap instead of each
            // waiting behind the previous frame's decisions
            for (int i = 0; i < count; i++)
            {
                burst.isolate(i);
            }
        }
        for (int i = 0; i < count; i++)
        {
            switchFrame(ingress, snapshot, i);
        }
    }

    private void switchFrame(final PortSlot ingress, final TranslationSnapshot snapshot, final int index)
    {
        final int length = burst.length(index);
        final PortCounters rx = ingress.counters;
        rx.rxFrames++;
        rx.rxBytes += length;
        final int visible;
        if (ingress.isolate)
        {
            // every decision below, and every rewrite, is on the switch's copy, which is what goes out
            visible = burst.isolatedLength(index);
            frame.wrap(burst.isolatedAddress(index), visible);
        }
        else
        {
            visible = length;
            frame.wrap(burst.address(index), length);
        }
        final ParsedFrame parsed = this.parsed;
        final int result = parser.parse(frame, visible, length, parsed);
        if (result != FrameParser.OK)
        {
            rx.drops[DropReason.ofParseResult(result).ordinal()]++;
            return;
        }

        int srcSlot = -1;
        if (parsed.hasIp())
        {
            srcSlot = findSource(snapshot, parsed.srcIpHi(), parsed.srcIpLo());
            if (srcSlot >= 0 && antiSpoofing && snapshot.portIndex(srcSlot) != ingress.index)
            {
                rx.drops[DropReason.SPOOFED.ordinal()]++;
                return;
            }
        }

        final long srcMac = parsed.srcMac();
        final int vlanId = parsed.vlanId();
        if (!MacAddress.isGroup(srcMac) && srcMac != 0 && (srcMac != lastLearnedMac || vlanId != lastLearnedVlan))
        {
            // one learning per source per burst: the clock does not move within a cycle
            learn(srcMac, vlanId, ingress);
            lastLearnedMac = srcMac;
            lastLearnedVlan = vlanId;
        }

        if ((proxyArp || proxyNd) && answerFromTable(ingress, snapshot, index))
        {
            return;
        }

        final long dstMac = parsed.dstMac();
        final boolean unicast = !MacAddress.isGroup(dstMac);
        if (ingress.uplink)
        {
            if (unicast && snapshot.isGlobalMac(dstMac))
            {
                toLocalVm(ingress, snapshot, index, dstMac);
                return;
            }
            forwardL2(ingress, index, dstMac, unicast, -1, snapshot);
            return;
        }

        if (unicast && parsed.hasIp())
        {
            final int dstSlot = snapshot.find(parsed.dstIpHi(), parsed.dstIpLo());
            if (dstSlot >= 0)
            {
                switchCounters.hits++;
                final PortSlot egress = byIndex[snapshot.portIndex(dstSlot)];
                if (null != egress && egress != ingress && !egress.uplink)
                {
                    final long localMac = snapshot.localMac(dstSlot);
                    if (dstMac != localMac)
                    {
                        // sent to another MAC (the global one, a gateway's): the port was chosen by
                        // IP, so the frame gets the MAC its VM accepts, in place on the switch's copy
                        LinkLayerRewriter.rewrite(frame, parsed, false, dstMac, localMac);
                        switchCounters.translationsIn++;
                    }
                    switchCounters.vmToVm++;
                    transmit(egress, index);
                    return;
                }
            }
            else
            {
                switchCounters.misses++;
            }
        }
        final int translateSlot = srcSlot >= 0 && snapshot.portIndex(srcSlot) == ingress.index &&
            snapshot.localMac(srcSlot) == srcMac ? srcSlot : -1;
        forwardL2(ingress, index, dstMac, unicast, translateSlot, snapshot);
    }

    /** Same answer as {@code snapshot.find} for the burst's snapshot, remembering the last source IP. */
    private int findSource(final TranslationSnapshot snapshot, final long hi, final long lo)
    {
        if (lastSrcSlot != Integer.MIN_VALUE && lo == lastSrcIpLo && hi == lastSrcIpHi)
        {
            return lastSrcSlot;
        }
        final int slot = snapshot.find(hi, lo);
        lastSrcIpHi = hi;
        lastSrcIpLo = lo;
        lastSrcSlot = slot;
        return slot;
    }

    private void learn(final long srcMac, final int vlanId, final PortSlot ingress)
    {
        switch (macs.learn(srcMac, vlanId, ingress.vni, ingress.index, nowNs))
        {
            case MacTable.LEARNED -> switchCounters.learned++;
            case MacTable.MOVED -> switchCounters.moves++;
            case MacTable.FULL -> switchCounters.tableFull++;
            default ->
            {
            }
        }
    }

    /** Uplink frame to a global MAC: find the VM by destination IP, give it its local MAC. */
    private void toLocalVm(final PortSlot ingress, final TranslationSnapshot snapshot, final int index, final long dstMac)
    {
        final ParsedFrame parsed = this.parsed;
        final int dstSlot = parsed.hasIp() ? snapshot.find(parsed.dstIpHi(), parsed.dstIpLo()) : -1;
        if (dstSlot < 0)
        {
            switchCounters.misses++;
            ingress.counters.drops[DropReason.NO_ROUTE.ordinal()]++;
            return;
        }
        switchCounters.hits++;
        final PortSlot egress = byIndex[snapshot.portIndex(dstSlot)];
        if (null == egress || egress == ingress)
        {
            ingress.counters.drops[DropReason.NO_ROUTE.ordinal()]++;
            return;
        }
        LinkLayerRewriter.rewrite(frame, parsed, false, dstMac, snapshot.localMac(dstSlot));
        switchCounters.translationsIn++;
        transmit(egress, index);
    }

    private void forwardL2(
        final PortSlot ingress, final int index, final long dstMac, final boolean unicast, final int translateSlot,
        final TranslationSnapshot snapshot)
    {
        final int vlanId = parsed.vlanId();
        if (unicast)
        {
            final int learned = macs.lookup(dstMac, vlanId, ingress.vni, nowNs);
            final PortSlot egress = learned >= 0 ? byIndex[learned] : null;
            if (null != egress)
            {
                if (egress == ingress)
                {
                    ingress.counters.drops[DropReason.NO_ROUTE.ordinal()]++;
                    return;
                }
                if (egress.uplink && translateSlot >= 0)
                {
                    toGlobal(snapshot, translateSlot);
                }
                transmit(egress, index);
                return;
            }
        }
        flood(ingress, index, vlanId, translateSlot, snapshot);
    }

    /** Within the segment: VM ports get the frame as it is, then the uplinks the translated one. */
    private void flood(
        final PortSlot ingress, final int index, final int vlanId, final int translateSlot,
        final TranslationSnapshot snapshot)
    {
        switchCounters.floods++;
        final PortSlot[] ports = active;
        boolean anyUplink = false;
        for (final PortSlot egress : ports)
        {
            if (egress != ingress && egress.vni == ingress.vni && egress.port.carriesVlan(vlanId))
            {
                if (egress.uplink)
                {
                    anyUplink = true;
                }
                else
                {
                    transmit(egress, index);
                }
            }
        }
        if (anyUplink)
        {
            if (translateSlot >= 0)
            {
                toGlobal(snapshot, translateSlot);
            }
            for (final PortSlot egress : ports)
            {
                if (egress.uplink && egress != ingress && egress.vni == ingress.vni && egress.port.carriesVlan(vlanId))
                {
                    transmit(egress, index);
                }
            }
        }
    }

    private void toGlobal(final TranslationSnapshot snapshot, final int slot)
    {
        LinkLayerRewriter.rewrite(frame, parsed, true, snapshot.localMac(slot), snapshot.globalMac(slot));
        switchCounters.translationsOut++;
    }

    private boolean answerFromTable(final PortSlot ingress, final TranslationSnapshot snapshot, final int index)
    {
        final ParsedFrame parsed = this.parsed;
        final int targetSlot;
        final boolean arp;
        if (proxyArp && parsed.kind() == ParsedFrame.KIND_ARP && parsed.arpOper() == Arp.OPER_REQUEST)
        {
            targetSlot = snapshot.find(parsed.dstIpHi(), parsed.dstIpLo());
            arp = true;
        }
        else if (proxyNd && parsed.isNdp() && ProxyResponder.canAnswer(parsed))
        {
            targetSlot = snapshot.find(parsed.ndpTargetHi(), parsed.ndpTargetLo());
            arp = false;
        }
        else
        {
            return false;
        }
        // the owner answers for itself; an asker on its own port needs no proxy, and a VM whose
        // port is not attached gets no traffic drawn to it
        if (targetSlot < 0 || snapshot.portIndex(targetSlot) == ingress.index || null == byIndex[snapshot.portIndex(targetSlot)])
        {
            return false;
        }
        final long answerMac = ingress.uplink ? snapshot.globalMac(targetSlot) : snapshot.localMac(targetSlot);
        if (arp)
        {
            ProxyResponder.arpReply(frame, parsed, answerMac);
            switchCounters.proxyArp++;
        }
        else
        {
            burst.length(index, ProxyResponder.neighborAdvertisement(frame, parsed, answerMac));
            switchCounters.proxyNd++;
        }
        transmit(ingress, index);
        return true;
    }

    private void transmit(final PortSlot egress, final int index)
    {
        final int result = egress.port.transmit(burst, index);
        final PortCounters tx = egress.counters;
        if (result == SwitchPort.TX_REFUSED)
        {
            tx.drops[DropReason.TX_REFUSED.ordinal()]++;
            return;
        }
        tx.txFrames++;
        tx.txBytes += burst.length(index);
        if (result == SwitchPort.TX_COPIED)
        {
            switchCounters.copies++;
        }
        if (!egress.touched)
        {
            egress.touched = true;
            touched[touchedCount++] = egress;
        }
    }

    /** Current counter totals of one port, for tests and the control API. */
    public PortStats portStats(final String name)
    {
        for (final PortSlot slot : (PortSlot[])PORTS.getAcquire(this))
        {
            if (slot.port.name().equals(name))
            {
                final long[] drops = new long[DropReason.values().length];
                for (final DropReason reason : DropReason.values())
                {
                    drops[reason.ordinal()] = slot.counters.drops(reason);
                }
                return new PortStats(slot.counters.rxFramesTotal(), slot.counters.txFramesTotal(), drops);
            }
        }
        return null;
    }

    @Override
    public synchronized void close()
    {
        for (final PortSlot slot : (PortSlot[])PORTS.getAcquire(this))
        {
            slot.counters.close();
        }
        PORTS.setRelease(this, new PortSlot[0]);
        switchCounters.close();
        wakeups.close();
    }

    /**
     * @param rxFrames frames received
     * @param txFrames frames transmitted
     * @param drops    drops by {@link DropReason} ordinal
     */
    public record PortStats(long rxFrames, long txFrames, long[] drops)
    {
        public long drops(final DropReason reason)
        {
            return drops[reason.ordinal()];
        }
    }
}
