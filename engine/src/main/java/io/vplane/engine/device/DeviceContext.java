package io.vplane.engine.device;

import io.vplane.config.PoolConfig;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.worker.IoThreads;

/**
 * What the engine gives a device when it is opened.
 *
 * @param pool     settings of the pool that will serve the device (ring sizes, batch)
 * @param counters where the device allocates its counters
 * @param errors   where the device reports faults (counted, logged once per repeat window)
 * @param io       the type's I/O threads, for a device kind that runs network event loops
 */
public record DeviceContext(PoolConfig pool, Counters counters, ErrorLog errors, IoThreads io)
{
    /** A device opened outside an engine (tests, benchmarks): its I/O threads show nowhere. */
    public DeviceContext(final PoolConfig pool, final Counters counters, final ErrorLog errors)
    {
        this(pool, counters, errors, new IoThreads(pool.type(), pool.io()));
    }
}
