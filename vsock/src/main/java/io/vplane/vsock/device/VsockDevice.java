package io.vplane.vsock.device;

import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.virtio.vhostuser.VhostUserBackend;
import io.vplane.virtio.vhostuser.VhostUserRequest;
import io.vplane.virtio.vhostuser.VhostUserSocket;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.vsock.config.VsockDeviceConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A virtio-vsock device served over vhost-user (QEMU {@code vhost-user-vsock-pci}), as an engine
 * device of type {@code vsock}: its rx, tx and event virtqueues and its host sockets are one queue
 * of the vsock pool ({@link VsockQueue}). The guest's CID is in the config space
 * (VHOST_USER_GET_CONFIG); the host side is the hybrid socket {@code udsPath}.
 * <p>
 * Offered: VERSION_1, RING_INDIRECT_DESC, RING_EVENT_IDX; stream sockets only (no SEQPACKET).
 * Protocol features: REPLY_ACK, CONFIG (not STATUS, see {@link #protocolFeatures()}). QEMU keeps
 * the event queue for itself (it has two vrings); a frontend that hands over all three gets a TRANSPORT_RESET event at each new
 * session, so a guest drops streams a previous backend held.
 */
public final class VsockDevice extends VhostUserBackend<VsockDeviceConfig, VsockQueue>
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VsockDevice.class);
    /** virtio 1.2 §6: VIRTIO_F_VERSION_1, VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX. */
    private static final long FEATURES = 1L << 32 | 1L << 28 | 1L << VhostUserRequest.F_RING_EVENT_IDX;

    private final VsockCounters counters;
    private final VsockQueue queue;
    private final VsockRegistry registry;
    private HybridSocket hybrid;

    /** @param registry where the device is listed while it is open */
    public VsockDevice(final DeviceSpec spec, final VsockDeviceConfig settings, final DeviceContext context, final VsockRegistry registry)
    {
        final VsockCounters counters = new VsockCounters(context.counters(), spec.name());
        final StreamDeadlines deadlines = new StreamDeadlines(TimeUnit.MILLISECONDS.toNanos(settings.handshakeTimeoutMs()),
            TimeUnit.MILLISECONDS.toNanos(settings.connectTimeoutMs()), settings.maxStreams());
        final VsockQueue queue = new VsockQueue(spec.name(), settings.guestCid(), settings.bufAllocBytes(), settings.maxStreams(), deadlines,
            context.errors(), counters);
        // virtio 1.2 §5.10.4: struct virtio_vsock_config { le64 guest_cid; }
        final byte[] configSpace = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(settings.guestCid()).array();
        super(spec, settings, List.of(queue), FEATURES, configSpace,
            new VhostUserSocket(Path.of(settings.socketPath()), false, settings.memoryLimits()),
            context.errors(), counters.protocolErrors, counters.vhostConnections);
        this.registry = registry;
        this.counters = counters;
        this.queue = queue;
    }

    @Override
    protected void beforeServing()
    {
        startHostSide();
    }

    /** Opens the hybrid socket only: for a caller that drives the vhost-user session itself (tests). */
    synchronized void startHostSide()
    {
        hybrid = HybridSocket.listen(spec().name(), Path.of(settings().udsPath()));
        queue.listen(hybrid);
    }

    @Override
    public void quiesce()
    {
        // control traffic only: streams end when the device closes
    }

    @Override
    public synchronized void close()
    {
        registry.closed(this);
        super.close();
        queue.close();
        if (null != hybrid)
        {
            hybrid.close();
        }
        counters.close();
    }

    VsockCounters counters()
    {
        return counters;
    }

    /** Streams open now, from any thread. */
    public long streams()
    {
        return queue.streams();
    }

    @Override
    public long protocolFeatures()
    {
        // no STATUS: QEMU 7.2's vhost-user-vsock acks it but never sends DRIVER_OK (it skips the
        // status update for a device whose queue range it does not know), so rings would never start
        return 1L << VhostUserRequest.PROTOCOL_F_REPLY_ACK | 1L << VhostUserRequest.PROTOCOL_F_CONFIG;
    }

    @Override
    public int queuePairs()
    {
        return 1;
    }

    @Override
    public int queueCount()
    {
        return VsockQueue.RINGS;
    }

    @Override
    public void featuresAcked(final long features)
    {
        super.featuresAcked(features);
        LOG.debug("vsock device {}: features 0x{} acked", spec().name(), Long.toHexString(features));
    }

    @Override
    public void startQueue(final int index, final SplitVirtQueue ring, final int kickFd)
    {
        ring.suppressKicks();
        queue.gate().attach(index, ring, kickFd);
        LOG.debug("vsock device {}: vring {} running ({} entries)", spec().name(), index, ring.size());
    }

    @Override
    public SplitVirtQueue stopQueue(final int index)
    {
        return queue.gate().detach(index);
    }

    @Override
    public boolean needsReset()
    {
        return queue.gate().anyBroken();
    }

    @Override
    public void sessionClosed()
    {
        queue.sessionClosed();
    }
}
