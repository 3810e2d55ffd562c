package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Counters of one disk, labelled with the disk and its tenant: requests executed, bytes read and
 * written, and error replies by NBD error value (whether found on the event loop or by a worker).
 */
final class DiskMetrics
{
    /** Error values a reply can carry (proto.md: "Error values"), each with its own counter. */
    private static final int[] ERRNOS = {
        NbdProtocol.EPERM, NbdProtocol.EIO, NbdProtocol.ENOMEM, NbdProtocol.EINVAL, NbdProtocol.ENOSPC,
        NbdProtocol.EOVERFLOW, NbdProtocol.ENOTSUP, NbdProtocol.ESHUTDOWN};
    private static final String[] ERRNO_NAMES = {"EPERM", "EIO", "ENOMEM", "EINVAL", "ENOSPC", "EOVERFLOW", "ENOTSUP",
        "ESHUTDOWN"};

    final AtomicCounter requests;
    final AtomicCounter readBytes;
    final AtomicCounter writtenBytes;
    /** Indexed by error value; null where the value is not one of {@link #ERRNOS}. */
    private final AtomicCounter[] errorsByErrno = new AtomicCounter[NbdProtocol.ESHUTDOWN + 1];
    private final AtomicCounter otherErrors;

    DiskMetrics(final Counters counters, final String disk, final String tenant)
    {
        requests = counters.counter("vplane_nbd_requests_total", "disk", disk, "tenant", tenant);
        readBytes = counters.counter("vplane_nbd_read_bytes_total", "disk", disk, "tenant", tenant);
        writtenBytes = counters.counter("vplane_nbd_written_bytes_total", "disk", disk, "tenant", tenant);
        for (int i = 0; i < ERRNOS.length; i++)
        {
            errorsByErrno[ERRNOS[i]] = counters.counter(
                "vplane_nbd_request_errors_total", "disk", disk, "tenant", tenant, "error", ERRNO_NAMES[i]);
        }
        otherErrors = counters.counter(
            "vplane_nbd_request_errors_total", "disk", disk, "tenant", tenant, "error", "other");
    }

    /** Counts one error reply; any thread. */
    void countError(final int errno)
    {
        final AtomicCounter counter = errno > 0 && errno < errorsByErrno.length ? errorsByErrno[errno] : null;
        (null == counter ? otherErrors : counter).incrementRelease();
    }

    void close()
    {
        requests.close();
        readBytes.close();
        writtenBytes.close();
        for (final AtomicCounter counter : errorsByErrno)
        {
            if (null != counter)
            {
                counter.close();
            }
        }
        otherErrors.close();
    }
}
