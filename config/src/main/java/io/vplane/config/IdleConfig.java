package io.vplane.config;

/**
 * @param strategy  busy-spin, yield, backoff (spin, then yield, then park with growing sleeps) or park
 * @param maxSpins  backoff: spins before yielding
 * @param maxYields backoff: yields before parking
 * @param minParkNs backoff and park: first (and for park, only) sleep
 * @param maxParkNs backoff: longest sleep
 */
public record IdleConfig(IdleStrategyKind strategy, long maxSpins, long maxYields, long minParkNs, long maxParkNs)
{
}
