package io.vplane.engine.device;

import io.vplane.config.PoolConfig;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;

/**
 * What the engine gives a device when it is opened.
 *
 * @param pool     settings of the pool that will serve the device (ring sizes, batch)
 * @param counters where the device allocates its counters
 * @param errors   where the device reports faults (counted, logged once per repeat window)
 */
public record DeviceContext(PoolConfig pool, Counters counters, ErrorLog errors)
{
}
