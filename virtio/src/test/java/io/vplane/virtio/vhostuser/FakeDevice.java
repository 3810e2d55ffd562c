package io.vplane.virtio.vhostuser;

import io.vplane.virtio.virtq.SplitVirtQueue;

/** A device that records which rings the dispatcher started and stopped. */
final class FakeDevice implements VhostUserDevice
{
    static final long FEATURES = 1L << 32 | 1L << 15 | 1L << 5;
    final SplitVirtQueue[] running;
    long acked = -1;
    int starts;
    /** Thrown by {@link #configSpace()} when set: a device fault such as SIGBUS on guest memory. */
    volatile Error configFault;
    int stops;

    FakeDevice(final int queues)
    {
        running = new SplitVirtQueue[queues];
    }

    @Override
    public long features()
    {
        return FEATURES;
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
        return running.length / 2;
    }

    @Override
    public int queueCount()
    {
        return running.length;
    }

    @Override
    public byte[] configSpace()
    {
        final Error fault = configFault;
        if (null != fault)
        {
            throw fault;
        }
        return new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0, 1, 0};
    }

    @Override
    public void featuresAcked(final long features)
    {
        acked = features;
    }

    @Override
    public void startQueue(final int index, final SplitVirtQueue queue, final int kickFd)
    {
        running[index] = queue;
        starts++;
    }

    @Override
    public SplitVirtQueue stopQueue(final int index)
    {
        final SplitVirtQueue queue = running[index];
        running[index] = null;
        stops++;
        return queue;
    }

    @Override
    public boolean needsReset()
    {
        return false;
    }
}
