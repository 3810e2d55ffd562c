package io.vplane.engine.loopback;

/**
 * A synthetic device: a generator writes sequence-numbered requests into each of its queues and
 * the engine's queue groups consume them, checking per-queue order.
 *
 * @param name       unique device name
 * @param type       device type whose pool serves it ({@code net}, {@code blk}, {@code vsock})
 * @param queues     number of queues
 * @param ratePerSec requests per second the generator offers over all queues; 0 means flat out
 * @param requestCostNs CPU time the consuming worker spends on each request (busy-waiting), to model
 *                      a device whose requests cost something; 0 means none
 */
public record LoopbackDeviceConfig(String name, String type, int queues, long ratePerSec, long requestCostNs)
{
    public LoopbackDeviceConfig(final String name, final String type, final int queues, final long ratePerSec)
    {
        this(name, type, queues, ratePerSec, 0);
    }
}
