package io.vplane.virtio.vhostuser;

import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.memory.GuestMemory;
import io.vplane.virtio.memory.GuestMemoryException;
import io.vplane.virtio.memory.GuestMemoryLimits;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.virtio.virtq.SplitVirtQueue;
import io.vplane.virtio.virtq.VirtQueueException;
import org.agrona.concurrent.status.AtomicCounter;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.*;

/**
 * The backend's state machine for one frontend connection: dispatches each message, keeps the
 * negotiated features, the guest memory and the vring states, and starts a ring on the device's
 * data path once it has memory, size, addresses, a kick and (with protocol features) an enable.
 * <p>
 * A message that is malformed or asks for something unsupported is a protocol error: counted,
 * logged once per kind, its fds closed, and answered with the negative REPLY_ACK when the
 * frontend asked for a reply; without a way to say no, the connection is closed instead.
 */
public final class VhostUserSession implements AutoCloseable
{
    public static final String COMPONENT = "vhost-user";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VhostUserSession.class);
    /** virtio 1.2 §2.1: DEVICE_NEEDS_RESET status bit. */
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    /** virtio 1.2 §2.1: DRIVER_OK status bit. */
    public static final int STATUS_DRIVER_OK = 0x4;
    private static final long ACK_OK = 0;
    private static final long ACK_FAILED = 1;

    /** What the connection does after a message. */
    public enum Outcome
    {
        CONTINUE,
        CLOSE
    }

    private final String peer;
    private final VhostUserDevice device;
    private final ErrorLog errors;
    private final AtomicCounter protocolErrors;
    private final VringState[] vrings;
    private final GuestMemoryLimits memoryLimits;
    private GuestMemory memory;
    private long ackedFeatures;
    private long ackedProtocolFeatures;
    private boolean featuresSet;
    private int status;

    public VhostUserSession(final String peer, final VhostUserDevice device, final ErrorLog errors, final AtomicCounter protocolErrors)
    {
        this(peer, device, errors, protocolErrors, GuestMemoryLimits.defaults());
    }

    /** @param memoryLimits what one SET_MEM_TABLE may map; a table over them gets a negative REPLY_ACK */
    public VhostUserSession(
        final String peer,
        final VhostUserDevice device,
        final ErrorLog errors,
        final AtomicCounter protocolErrors,
        final GuestMemoryLimits memoryLimits)
    {
        this.memoryLimits = memoryLimits;
        this.peer = peer;
        this.device = device;
        this.errors = errors;
        this.protocolErrors = protocolErrors;
        this.vrings = new VringState[device.queueCount()];
        for (int i = 0; i < vrings.length; i++)
        {
            vrings[i] = new VringState();
        }
    }

    /**
     * Handles one received message and sends its reply on {@code connection}. Every fd the
     * message brought and the handler did not keep is closed before this returns.
     */
    public Outcome handle(final VhostUserMessage message, final VhostUserConnection connection)
    {
        try
        {
            if (!message.hasValidVersion() || (message.flags() & FLAG_REPLY) != 0)
            {
                return fail(message, connection, "bad-header",
                    "flags 0x" + Integer.toHexString(message.flags()) + " (need version 1, no reply bit)", true);
            }
            return dispatch(message, connection);
        }
        finally
        {
            message.closeFds(FileIo::close);
        }
    }

    /** Stops every ring, unmaps guest memory and closes every fd: the frontend is gone. */
    @Override
    public void close()
    {
        stopAll();
        for (final VringState vring : vrings)
        {
            vring.reset();
        }
        unmap();
        ackedFeatures = 0;
        ackedProtocolFeatures = 0;
        featuresSet = false;
        status = 0;
        device.sessionClosed();
    }

    /** @return rings the device is serving now: started and not stopped by GET_VRING_BASE */
    public int runningRings()
    {
        int running = 0;
        for (final VringState vring : vrings)
        {
            running += null == vring.running ? 0 : 1;
        }
        return running;
    }

    public long ackedFeatures()
    {
        return ackedFeatures;
    }

    public int status()
    {
        return status;
    }

    public boolean isMemoryMapped()
    {
        return null != memory;
    }

    private Outcome dispatch(final VhostUserMessage message, final VhostUserConnection connection)
    {
        final int request = message.request();
        if (LOG.isDebugEnabled())
        {
            LOG.debug("{}: {} ({} bytes, {} fds)", peer, VhostUserRequest.name(request), message.size(), message.fdCount());
        }
        return switch (request)
        {
            case GET_FEATURES -> replyU64(message, connection, device.features() | (1L << F_PROTOCOL_FEATURES));
            case SET_FEATURES -> setFeatures(message, connection);
            case GET_PROTOCOL_FEATURES -> replyU64(message, connection, device.protocolFeatures());
            case SET_PROTOCOL_FEATURES -> setProtocolFeatures(message, connection);
            case SET_OWNER -> noPayload(message) ? ack(message, connection) : malformed(message, connection);
            case RESET_OWNER ->
            {
                close();
                yield ack(message, connection);
            }
            case SET_MEM_TABLE -> setMemTable(message, connection);
            case SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ENABLE -> vringState(message, connection);
            case SET_VRING_ADDR -> setVringAddr(message, connection);
            case GET_VRING_BASE -> getVringBase(message, connection);
            case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR -> vringFd(message, connection);
            case GET_QUEUE_NUM -> replyU64(message, connection, device.queuePairs());
            case GET_CONFIG -> getConfig(message, connection);
            case SET_STATUS -> setStatus(message, connection);
            case GET_STATUS -> replyU64(message, connection, status | (device.needsReset() ? STATUS_DEVICE_NEEDS_RESET : 0));
            default -> fail(message, connection, "unsupported", VhostUserRequest.name(request) + " is not supported", false);
        };
    }

    private Outcome setFeatures(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.hasPayloadSize(U64_SIZE) || message.fdCount() != 0)
        {
            return malformed(message, connection);
        }
        final long features = message.payloadLong(0);
        final long offered = device.features() | (1L << F_PROTOCOL_FEATURES);
        if ((features & ~offered) != 0)
        {
            return fail(message, connection, "features",
                "acked features 0x" + Long.toHexString(features) + " beyond offered 0x" + Long.toHexString(offered), false);
        }
        stopAll();
        ackedFeatures = features;
        featuresSet = true;
        device.featuresAcked(features);
        return startReady() ? ack(message, connection) : ringFailed(message, connection);
    }

    private Outcome setProtocolFeatures(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.hasPayloadSize(U64_SIZE) || message.fdCount() != 0)
        {
            return malformed(message, connection);
        }
        final long features = message.payloadLong(0);
        if ((features & ~device.protocolFeatures()) != 0)
        {
            return fail(message, connection, "features", "acked protocol features 0x" + Long.toHexString(features) +
                " beyond offered 0x" + Long.toHexString(device.protocolFeatures()), false);
        }
        ackedProtocolFeatures = features;
        return ack(message, connection);
    }

    private Outcome setMemTable(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (message.size() < MEM_REGIONS_OFFSET)
        {
            return malformed(message, connection);
        }
        final int count = message.payloadInt(MEM_NREGIONS_OFFSET);
        if (count < 1 || count > memoryLimits.maxRegions() || message.size() != MEM_REGIONS_OFFSET + count * MEM_REGION_SIZE)
        {
            return fail(message, connection, "mem-table",
                "memory table of " + count + " regions in a " + message.size() + "-byte payload", false);
        }
        final MemoryRegion[] regions = new MemoryRegion[count];
        for (int i = 0; i < count; i++)
        {
            final int at = MEM_REGIONS_OFFSET + i * MEM_REGION_SIZE;
            regions[i] = new MemoryRegion(
                message.payloadLong(at + MEM_REGION_GPA_OFFSET),
                message.payloadLong(at + MEM_REGION_SIZE_OFFSET),
                message.payloadLong(at + MEM_REGION_UADDR_OFFSET),
                message.payloadLong(at + MEM_REGION_MMAP_OFFSET_OFFSET));
        }
        final int[] fds = new int[message.fdCount()];
        for (int i = 0; i < fds.length; i++)
        {
            fds[i] = message.fd(i);
        }
        final GuestMemory mapped;
        try
        {
            mapped = GuestMemory.map(regions, fds, memoryLimits);
        }
        catch (final GuestMemoryException ex)
        {
            return fail(message, connection, "mem-table", ex.getMessage(), false);
        }
        // The frontend may remap while running: rings pause, then resume on the new mapping.
        stopAll();
        unmap();
        memory = mapped;
        // a ring whose addresses the new table no longer holds stays stopped: the frontend must hear of it
        return startReady() ? ack(message, connection) : ringFailed(message, connection);
    }

    private Outcome vringState(final VhostUserMessage message, final VhostUserConnection connection)
    {
        final Outcome unfit = unfitForVring(message, connection, VRING_STATE_SIZE, VRING_STATE_INDEX_OFFSET);
        if (null != unfit)
        {
            return unfit;
        }
        final int index = message.payloadInt(VRING_STATE_INDEX_OFFSET);
        final int num = message.payloadInt(VRING_STATE_NUM_OFFSET);
        final VringState vring = vrings[index];
        switch (message.request())
        {
            case SET_VRING_NUM ->
            {
                if (num <= 0 || num > SplitRing.MAX_SIZE || (num & (num - 1)) != 0)
                {
                    return fail(message, connection, "vring-num",
                        "vring " + index + " size " + num + " is not a power of two in 1.." + SplitRing.MAX_SIZE, false);
                }
                stop(index);
                vring.num = num;
            }
            case SET_VRING_BASE ->
            {
                if (num < 0 || num > 0xFFFF)
                {
                    return fail(message, connection, "vring-base", "vring " + index + " base " + num + " is not a u16", false);
                }
                stop(index);
                vring.base = num;
            }
            default ->
            {
                vring.enabled = num != 0;
                if (!vring.enabled)
                {
                    stop(index);
                }
            }
        }
        return startIfReady(index) ? ack(message, connection) : ringFailed(message, connection);
    }

    private Outcome setVringAddr(final VhostUserMessage message, final VhostUserConnection connection)
    {
        final Outcome unfit = unfitForVring(message, connection, VRING_ADDR_SIZE, VRING_ADDR_INDEX_OFFSET);
        if (null != unfit)
        {
            return unfit;
        }
        final int index = message.payloadInt(VRING_ADDR_INDEX_OFFSET);
        final VringState vring = vrings[index];
        stop(index);
        vring.descAddr = message.payloadLong(VRING_ADDR_DESC_OFFSET);
        vring.usedAddr = message.payloadLong(VRING_ADDR_USED_OFFSET);
        vring.availAddr = message.payloadLong(VRING_ADDR_AVAIL_OFFSET);
        vring.addressSet = true;
        return startIfReady(index) ? ack(message, connection) : ringFailed(message, connection);
    }

    private Outcome getVringBase(final VhostUserMessage message, final VhostUserConnection connection)
    {
        final Outcome unfit = unfitForVring(message, connection, VRING_STATE_SIZE, VRING_STATE_INDEX_OFFSET);
        if (null != unfit)
        {
            return unfit;
        }
        final int index = message.payloadInt(VRING_STATE_INDEX_OFFSET);
        final VringState vring = vrings[index];
        // vhost-user.rst GET_VRING_BASE: stops the ring; a new kick starts it again.
        stop(index);
        vring.started = false;
        vring.replaceKickFd(-1);
        message.toReply(VRING_STATE_SIZE).putPayloadInt(VRING_STATE_INDEX_OFFSET, index).putPayloadInt(VRING_STATE_NUM_OFFSET, vring.base);
        return send(message, connection);
    }

    private Outcome vringFd(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.hasPayloadSize(U64_SIZE))
        {
            return malformed(message, connection);
        }
        final long value = message.payloadLong(0);
        final int index = (int)(value & VRING_INDEX_MASK);
        final boolean noFd = (value & VRING_NOFD_MASK) != 0;
        if ((value & ~(VRING_INDEX_MASK | VRING_NOFD_MASK)) != 0 || message.fdCount() != (noFd ? 0 : 1))
        {
            return fail(message, connection, "vring-fd", VhostUserRequest.name(message.request()) + " value 0x" +
                Long.toHexString(value) + " with " + message.fdCount() + " fds", false);
        }
        final VringState vring = vring(index);
        if (null == vring)
        {
            return badIndex(message, connection, index);
        }
        if (!noFd && message.request() == SET_VRING_CALL)
        {
            final String unfit = CallFds.prepare(message.fd(0));
            if (null != unfit)
            {
                // a worker writes this fd: anything but a non-blocking eventfd could stall or misroute it
                return fail(message, connection, "vring-call", "vring " + index + ": " + unfit, false);
            }
        }
        final int fd = noFd ? -1 : message.takeFd(0);
        switch (message.request())
        {
            case SET_VRING_KICK ->
            {
                stop(index);
                vring.replaceKickFd(fd);
                vring.started = true;
            }
            case SET_VRING_CALL ->
            {
                // stop first: the data path must not signal a closed (or reused) fd number
                stop(index);
                vring.replaceCallFd(fd);
            }
            default -> vring.replaceErrFd(fd);
        }
        return startIfReady(index) ? ack(message, connection) : ringFailed(message, connection);
    }

    private Outcome getConfig(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (message.size() < CONFIG_DATA_OFFSET || message.fdCount() != 0)
        {
            return malformed(message, connection);
        }
        final int offset = message.payloadInt(CONFIG_OFFSET_OFFSET);
        final int size = message.payloadInt(CONFIG_SIZE_OFFSET);
        if (size < 0 || size > CONFIG_MAX_DATA || message.size() != CONFIG_DATA_OFFSET + size || offset < 0 || offset > CONFIG_MAX_DATA)
        {
            return fail(message, connection, "config", "GET_CONFIG offset " + offset + " size " + size +
                " in a " + message.size() + "-byte payload", false);
        }
        final byte[] space = device.configSpace();
        for (int i = 0; i < size; i++)
        {
            final int at = offset + i;
            message.putPayloadByte(CONFIG_DATA_OFFSET + i, at < space.length ? space[at] : 0);
        }
        message.toReply(CONFIG_DATA_OFFSET + size);
        return send(message, connection);
    }

    private Outcome setStatus(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.hasPayloadSize(U64_SIZE) || message.fdCount() != 0)
        {
            return malformed(message, connection);
        }
        final long value = message.payloadLong(0);
        if (value < 0 || value > 0xFF)
        {
            return fail(message, connection, "status", "status 0x" + Long.toHexString(value) + " is not a u8", false);
        }
        status = (int)value;
        if ((status & STATUS_DRIVER_OK) == 0)
        {
            // virtio 1.2 §3.1.1: 0 resets the device; before DRIVER_OK it must not use the rings
            stopAll();
            return ack(message, connection);
        }
        return startReady() ? ack(message, connection) : ringFailed(message, connection);
    }

    private boolean startIfReady(final int index)
    {
        final VringState vring = vrings[index];
        if (null != vring.running || null == memory || !vring.addressSet || vring.num == 0 || !vring.started)
        {
            return true;
        }
        // Without the protocol-feature handshake rings start enabled (vhost-user.rst "Ring states").
        final boolean protocolFeatures = (ackedFeatures & (1L << F_PROTOCOL_FEATURES)) != 0;
        if (protocolFeatures && !vring.enabled)
        {
            return true;
        }
        // With the STATUS protocol feature the frontend says when the driver is ready (DRIVER_OK);
        // DPDK's virtio driver discards receive buffers used before that.
        final boolean statusKnown = (ackedProtocolFeatures & (1L << PROTOCOL_F_STATUS)) != 0;
        if (statusKnown && (status & STATUS_DRIVER_OK) == 0)
        {
            return true;
        }
        try
        {
            final SplitVirtQueue queue = SplitVirtQueue.create(
                memory, vring.num, vring.descAddr, vring.availAddr, vring.usedAddr, vring.base, vring.callFd,
                (ackedFeatures & (1L << F_RING_EVENT_IDX)) != 0);
            if (queue.lastAvailIndex() != vring.base)
            {
                LOG.info("{}: vring {} resumes at used index {} (frontend said base {})", peer, index, queue.lastAvailIndex(), vring.base);
            }
            vring.running = queue;
            device.startQueue(index, queue, vring.kickFd);
            return true;
        }
        catch (final VirtQueueException ex)
        {
            protocolErrors.incrementRelease();
            errors.record(COMPONENT, "vring-addr", peer + ": vring " + index + ": " + ex.getMessage());
            return false;
        }
        catch (final InternalError ex)
        {
            // the JVM's SIGBUS: the frontend shrank the file behind its memory table
            protocolErrors.incrementRelease();
            errors.record(COMPONENT, "memory-fault", peer + ": vring " + index + ": " + ex.getMessage());
            return false;
        }
    }

    /** @return false when a ring could not start (each failure already counted and logged) */
    private boolean startReady()
    {
        boolean allStarted = true;
        for (int i = 0; i < vrings.length; i++)
        {
            allStarted &= startIfReady(i);
        }
        return allStarted;
    }

    private void stop(final int index)
    {
        final VringState vring = vrings[index];
        if (null != vring.running)
        {
            final SplitVirtQueue stopped = device.stopQueue(index);
            final SplitVirtQueue last = null == stopped ? vring.running : stopped;
            vring.base = last.lastAvailIndex();
            vring.running = null;
        }
    }

    private void stopAll()
    {
        for (int i = 0; i < vrings.length; i++)
        {
            stop(i);
        }
    }

    private void unmap()
    {
        if (null != memory)
        {
            memory.close();
            memory = null;
        }
    }

    private VringState vring(final int index)
    {
        return index >= 0 && index < vrings.length ? vrings[index] : null;
    }

    /**
     * The fault answer to a vring message that is not {@code size} bytes without fds, or names no
     * vring of this device (its index at {@code indexOffset}); null when it is fit.
     */
    private Outcome unfitForVring(
        final VhostUserMessage message, final VhostUserConnection connection, final int size, final int indexOffset)
    {
        if (!message.hasPayloadSize(size) || message.fdCount() != 0)
        {
            return malformed(message, connection);
        }
        final int index = message.payloadInt(indexOffset);
        return null == vring(index) ? badIndex(message, connection, index) : null;
    }

    private static boolean noPayload(final VhostUserMessage message)
    {
        return message.size() == 0 && message.fdCount() == 0;
    }

    private Outcome replyU64(final VhostUserMessage message, final VhostUserConnection connection, final long value)
    {
        if (message.size() != 0 && message.size() != U64_SIZE)
        {
            return malformed(message, connection);
        }
        message.toReply(U64_SIZE).putPayloadLong(0, value);
        return send(message, connection);
    }

    private Outcome ack(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.needsReply())
        {
            return Outcome.CONTINUE;
        }
        message.toReply(U64_SIZE).putPayloadLong(0, ACK_OK);
        return send(message, connection);
    }

    private Outcome ringFailed(final VhostUserMessage message, final VhostUserConnection connection)
    {
        // already counted and logged by startIfReady
        return nack(message, connection);
    }

    private Outcome malformed(final VhostUserMessage message, final VhostUserConnection connection)
    {
        return fail(message, connection, "malformed", VhostUserRequest.name(message.request()) + " with a " +
            message.size() + "-byte payload and " + message.fdCount() + " fds", false);
    }

    private Outcome badIndex(final VhostUserMessage message, final VhostUserConnection connection, final int index)
    {
        return fail(message, connection, "vring-index", VhostUserRequest.name(message.request()) + " for vring " +
            index + "; the device has " + vrings.length, false);
    }

    private Outcome fail(
        final VhostUserMessage message,
        final VhostUserConnection connection,
        final String kind,
        final String detail,
        final boolean mustClose)
    {
        protocolErrors.incrementRelease();
        final boolean canNack = !mustClose && message.needsReply();
        errors.record(COMPONENT, kind, peer + ": " + detail + (canNack ? "; answered with a negative ack" : "; closing the connection"));
        return canNack ? nack(message, connection) : Outcome.CLOSE;
    }

    private Outcome nack(final VhostUserMessage message, final VhostUserConnection connection)
    {
        if (!message.needsReply())
        {
            return Outcome.CLOSE;
        }
        message.toReply(U64_SIZE).putPayloadLong(0, ACK_FAILED);
        return send(message, connection);
    }

    private static Outcome send(final VhostUserMessage message, final VhostUserConnection connection)
    {
        return connection.send(message) ? Outcome.CONTINUE : Outcome.CLOSE;
    }
}
