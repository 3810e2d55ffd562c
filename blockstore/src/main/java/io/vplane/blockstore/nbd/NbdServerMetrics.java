package io.vplane.blockstore.nbd;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Server-wide counters, and the error log every connection reports protocol faults to.
 *
 * @param accepted         connections accepted
 * @param open             connections open now
 * @param protocolErrors   sessions ended for a protocol violation
 * @param errors           per-kind fault counters and rate-limited log lines
 */
public record NbdServerMetrics(AtomicCounter accepted, AtomicCounter open, AtomicCounter protocolErrors, ErrorLog errors)
{
    public static NbdServerMetrics allocate(final Counters counters, final ErrorLog errors)
    {
        return new NbdServerMetrics(
            counters.counter("vplane_nbd_connections_total"),
            counters.gauge("vplane_nbd_connections_open"),
            counters.counter("vplane_nbd_protocol_errors_total"),
            errors);
    }

    public void close()
    {
        accepted.close();
        open.close();
        protocolErrors.close();
    }
}
