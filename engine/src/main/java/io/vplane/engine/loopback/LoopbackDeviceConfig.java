package io.vplane.engine.loopback;

/**
 * A synthetic device: a generator writes sequence-numbered requests into each of its queues and
 * the engine's queue groups consume them, checking per-queue order.
 *
 * @param name       unique device name
 * @param type       device type whose pool serves it ({@code net}, {@code blk}, {@code vsock})
 * @param queues     number of queues
 * @param ratePerSec requests per second the generator offers over all queues; 0 means flat out
 */
public record LoopbackDeviceConfig(String name, String type, int queues, long ratePerSec)
{
}
