package io.vplane.blockstore.device;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Counters of one disk, labelled with the disk and its tenant.
 *
 * @param requests     requests executed by the workers
 * @param readBytes    bytes read
 * @param writtenBytes bytes written (WRITE only)
 * @param errors       requests answered with an error by a worker
 */
record DiskMetrics(AtomicCounter requests, AtomicCounter readBytes, AtomicCounter writtenBytes, AtomicCounter errors)
{
    static DiskMetrics allocate(final Counters counters, final String disk, final String tenant)
    {
        return new DiskMetrics(
            counters.counter("vplane_nbd_requests_total", "disk", disk, "tenant", tenant),
            counters.counter("vplane_nbd_read_bytes_total", "disk", disk, "tenant", tenant),
            counters.counter("vplane_nbd_written_bytes_total", "disk", disk, "tenant", tenant),
            counters.counter("vplane_nbd_request_errors_total", "disk", disk, "tenant", tenant));
    }

    void close()
    {
        requests.close();
        readBytes.close();
        writtenBytes.close();
        errors.close();
    }
}
