package io.vplane.virtio.vhostuser;

import io.vplane.virtio.virtq.SplitVirtQueue;

/**
 * What a device (virtio-net here) gives the vhost-user dispatcher, and how the dispatcher hands
 * running rings to the device's data path and takes them back. Called on the connection's control
 * thread only.
 */
public interface VhostUserDevice
{
    /** Virtio feature bits offered in GET_FEATURES (with {@link VhostUserRequest#F_PROTOCOL_FEATURES}). */
    long features();

    /** Protocol feature bits offered in GET_PROTOCOL_FEATURES. */
    long protocolFeatures();

    /** Queue pairs reported by GET_QUEUE_NUM. */
    int queuePairs();

    /** Virtqueues the device has (2 per queue pair for net); a larger index is a protocol error. */
    int queueCount();

    /** The device config space (virtio-net: MAC, status, max queue pairs). */
    byte[] configSpace();

    /** The frontend acked these features (SET_FEATURES); rings are not running. */
    void featuresAcked(long features);

    /**
     * Hands a ring to the data path; it was stopped before.
     *
     * @param kickFd the ring's kick eventfd (the frontend's), or -1 when it has none; it stays open
     *               until {@link #stopQueue} returned
     */
    void startQueue(int index, SplitVirtQueue queue, int kickFd);

    /**
     * Takes a running ring back: returns once no worker touches it any more.
     *
     * @return the ring as the data path left it (its indices), or null if it was not running
     */
    SplitVirtQueue stopQueue(int index);

    /** True when the data path found a ring broken by the driver (virtio status DEVICE_NEEDS_RESET). */
    boolean needsReset();

    /**
     * The frontend is gone (or sent RESET_OWNER): every ring is stopped. A device that keeps state
     * across rings (vsock's connections) drops it here.
     */
    default void sessionClosed()
    {
    }
}
