package io.vplane.nic.port;

import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.virtio.vhostuser.VhostUserBackend;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.vhostuser.VhostUserSocket;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.nic.vswitch.VswitchRegistry;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A vhost-user net port as an engine device of type {@code net}: virtqueue 2k is receive queue k
 * and 2k+1 transmit queue k, each an engine queue polled by the {@code net} workers. The
 * vhost-user control channel runs on a thread of its own and hands rings to the queues.
 * <p>
 * Offered virtio features: VERSION_1, MAC, STATUS, MRG_RXBUF, RING_INDIRECT_DESC, RING_EVENT_IDX, and MQ when
 * there is more than one pair. Protocol features: MQ, REPLY_ACK, CONFIG, STATUS. The backend
 * polls: it sets NO_NOTIFY on used rings and never waits on kicks; calls honour NO_INTERRUPT.
 */
public final class VhostUserPort extends VhostUserBackend<VhostUserPortConfig, NetQueue>
{
    public static final String PROTOCOL_ERRORS = "vplane_vhost_protocol_errors_total";
    public static final String CONNECTIONS = "vplane_vhost_connections_total";
    private static final long SWITCH_DETACH_TIMEOUT_MS = 1_000;

    private final VswitchRegistry switches;
    /** Where the switched port lends its receive buffers to uplinks; null when no uplink may borrow them. */
    private final GuestRxLenders.Slot lenderSlot;
    private final Arena arena;
    private final List<QueueCounters> queueCounters;
    private final AtomicCounter protocolErrors;
    private final AtomicCounter connections;
    private final AtomicCounter linearized;
    /** With {@code guestTx: switch}: this port as a port of the vSwitch, else null. */
    private final VhostSwitchPort switchPort;

    /**
     * @param switches the running switches, one of which a port with {@code guestTx: switch} joins
     */
    public VhostUserPort(
        final DeviceSpec spec, final VhostUserPortConfig settings, final DeviceContext context, final VswitchRegistry switches)
    {
        this(spec, settings, context, switches, null);
    }

    /**
     * @param switches the running switches, one of which a port with {@code guestTx: switch} joins
     * @param lenders  where a switched port offers its receive buffers to the uplink serving it, or null
     */
    public VhostUserPort(final DeviceSpec spec, final VhostUserPortConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        final Arena arena = Arena.ofShared();
        final byte[] mac = VirtioNet.parseMac(settings.mac());
        long offered = 1L << VirtioNet.F_VERSION_1 | 1L << VirtioNet.F_MAC | 1L << VirtioNet.F_STATUS |
            1L << VirtioNet.F_MRG_RXBUF | 1L << VirtioNet.F_RING_INDIRECT_DESC | 1L << VirtioNet.F_RING_EVENT_IDX;
        if (settings.queuePairs() > 1)
        {
            offered |= 1L << VirtioNet.F_MQ;
        }
        final boolean source = VhostUserPortConfig.GuestRx.SOURCE == settings.guestRx();
        final boolean loopback = VhostUserPortConfig.GuestTx.LOOPBACK == settings.guestTx();
        final List<NetQueue> list = new ArrayList<>();
        final List<QueueCounters> queueCounters = new ArrayList<>();
        final SwitchedTxQueue[] switchedTx = settings.switched() ? new SwitchedTxQueue[settings.queuePairs()] : null;
        for (int pair = 0; pair < settings.queuePairs(); pair++)
        {
            final QueueCounters rxCounters = new QueueCounters(context.counters(), spec.name(), 2 * pair);
            final QueueCounters txCounters = new QueueCounters(context.counters(), spec.name(), 2 * pair + 1);
            queueCounters.add(rxCounters);
            queueCounters.add(txCounters);
            final RxQueue rx = new RxQueue(spec.name(), 2 * pair, context.errors(), rxCounters,
                source ? new TemplateFrame(arena, mac, settings.sourceFrameBytes()) : null, new GuestRxWriter());
            list.add(rx);
            if (null != switchedTx)
            {
                switchedTx[pair] = new SwitchedTxQueue(spec.name(), 2 * pair + 1, context.errors(), txCounters);
                list.add(switchedTx[pair]);
                continue;
            }
            list.add(new TxQueue(spec.name(), 2 * pair + 1, context.errors(), txCounters, loopback ? rx : null, new GuestRxWriter()));
        }
        final AtomicCounter linearized =
            null == switchedTx ? null : context.counters().counter(VhostSwitchPort.LINEARIZED, "port", spec.name());
        final AtomicCounter protocolErrors = context.counters().counter(PROTOCOL_ERRORS, "port", spec.name());
        final AtomicCounter connections = context.counters().counter(CONNECTIONS, "port", spec.name());
        super(spec, settings, list, offered, VirtioNet.configSpace(mac, settings.queuePairs()),
            new VhostUserSocket(Path.of(settings.socketPath()), VhostUserPortConfig.Mode.CLIENT == settings.mode(), settings.memoryLimits()),
            context.errors(), protocolErrors, connections);
        this.lenderSlot = null == lenders || !settings.switched() ? null : lenders.slot(spec.name());
        this.switches = switches;
        this.arena = arena;
        this.queueCounters = queueCounters;
        this.linearized = linearized;
        this.switchPort = null == switchedTx ? null :
            new VhostSwitchPort(spec.name(), (RxQueue)list.getFirst(), switchedTx, arena, linearized);
        this.protocolErrors = protocolErrors;
        this.connections = connections;
    }

    @Override
    protected void beforeServing()
    {
        if (null != switchPort)
        {
            switches.join(settings().vswitch(), switchPort);
            if (null != lenderSlot)
            {
                lenderSlot.set(switchPort, settings().vswitch());
            }
        }
    }

    @Override
    public void quiesce()
    {
        // Stop feeding the guest; keep taking what it sends (into the sink) so it never stalls.
        queues().forEach(NetQueue::quiesce);
    }

    /** Feeds the guests again after {@link #quiesce()}. */
    void resume()
    {
        queues().forEach(NetQueue::resume);
    }

    @Override
    public synchronized void close()
    {
        if (null != lenderSlot)
        {
            lenderSlot.clear(switchPort);
        }
        if (null != switchPort && switches.leave(settings().vswitch(), switchPort))
        {
            // the switch's worker may be in our rings and counters until its next cycle
            switchPort.awaitDetached(SWITCH_DETACH_TIMEOUT_MS);
        }
        super.close();
        queues().forEach(NetQueue::close);
        if (null != linearized)
        {
            linearized.close();
        }
        queueCounters.forEach(QueueCounters::close);
        protocolErrors.close();
        connections.close();
        arena.close();
    }

    /**
     * Buffers of virtqueue {@code index} the driver made available and the port has not taken
     * yet, or -1 when the ring is not running. From any thread; approximate while a worker polls.
     * With every receive buffer available ({@link #ringSize}) the guest has read every frame.
     */
    public int untaken(final int index)
    {
        final long both = queues().get(index).untakenAndSize();
        return both < 0 ? -1 : (int)(both >>> 32);
    }

    /** Size of virtqueue {@code index}, or -1 when it is not running. */
    public int ringSize(final int index)
    {
        final long both = queues().get(index).untakenAndSize();
        return both < 0 ? -1 : (int)both;
    }

    @Override
    public long protocolFeatures()
    {
        return 1L << VhostUserRequest.PROTOCOL_F_MQ | 1L << VhostUserRequest.PROTOCOL_F_REPLY_ACK |
            1L << VhostUserRequest.PROTOCOL_F_CONFIG | 1L << VhostUserRequest.PROTOCOL_F_STATUS;
    }

    @Override
    public int queuePairs()
    {
        return settings().queuePairs();
    }

    @Override
    public int queueCount()
    {
        return queues().size();
    }

    @Override
    public void startQueue(final int index, final SplitVirtQueue queue, final int kickFd)
    {
        queue.suppressKicks();
        queues().get(index).attach(queue, acked(VirtioNet.F_MRG_RXBUF), kickFd);
    }

    @Override
    public SplitVirtQueue stopQueue(final int index)
    {
        return queues().get(index).detach();
    }

    @Override
    public boolean needsReset()
    {
        for (final NetQueue queue : queues())
        {
            if (queue.isBroken())
            {
                return true;
            }
        }
        return false;
    }
}
