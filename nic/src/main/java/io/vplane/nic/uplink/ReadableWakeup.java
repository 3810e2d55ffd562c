package io.vplane.nic.uplink;

import io.vplane.engine.device.QueueWakeup;

/**
 * A descriptor that is readable while it holds frames (a TAP queue, an AF_XDP socket whose rx ring
 * is not empty): level-triggered, so there is nothing to arm or consume.
 */
record ReadableWakeup(int eventFd) implements QueueWakeup
{
    @Override
    public boolean arm()
    {
        return true;
    }

    @Override
    public void disarm()
    {
    }

    @Override
    public void consume()
    {
    }
}
