package io.vplane.blockstore.device;

import io.vplane.blockstore.request.BlockError;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.HistogramBuckets;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Counters of one disk, labelled with the disk and its tenant: requests executed, bytes read and
 * written, error replies by errno (the values NBD sends) (whether found on the event loop or by a worker), and
 * the request latency histogram. Several workers (one per queue) and event loops update them, so
 * every update is an atomic add.
 */
final class DiskMetrics
{
    /** Error values a reply can carry (NBD proto.md: "Error values"), each with its own counter. */
    private static final int[] ERRNOS = {
        BlockError.PERMISSION.errno(), BlockError.IO.errno(), BlockError.NO_MEMORY.errno(), BlockError.INVALID.errno(),
        BlockError.NO_SPACE.errno(), BlockError.OUT_OF_RANGE.errno(), BlockError.NOT_SUPPORTED.errno(),
        BlockError.SHUTDOWN.errno()};
    private static final String[] ERRNO_NAMES = {"EPERM", "EIO", "ENOMEM", "EINVAL", "ENOSPC", "EOVERFLOW", "ENOTSUP",
        "ESHUTDOWN"};

    static final String REQUESTS = "vplane_nbd_requests_total";
    static final String READ_BYTES = "vplane_nbd_read_bytes_total";
    static final String WRITTEN_BYTES = "vplane_nbd_written_bytes_total";
    static final String SPLICED_WRITES = "vplane_nbd_spliced_writes_total";

    final AtomicCounter requests;
    final AtomicCounter readBytes;
    final AtomicCounter writtenBytes;
    /** WRITEs whose data a worker received from the socket (SocketPayloadReceiver), and those it handed back for want of data. */
    final AtomicCounter splicedWrites;
    final AtomicCounter spliceStalls;
    /** Backend upgrades done (ctl disk upgrade). */
    final AtomicCounter upgrades;
    /** An online conversion's bytes in the target, and the disk's size while one runs (0 when none ran). */
    final AtomicCounter convertDoneBytes;
    final AtomicCounter convertSizeBytes;
    /** Indexed by error value; null where the value is not one of {@link #ERRNOS}. */
    private final AtomicCounter[] errorsByErrno = new AtomicCounter[BlockError.SHUTDOWN.errno() + 1];
    private final AtomicCounter otherErrors;
    /** Latency from decoding to the reply being ready, per {@link HistogramBuckets} bucket, in microseconds. */
    private final AtomicCounter[] latencyBuckets = new AtomicCounter[HistogramBuckets.COUNT];
    private final AtomicCounter latencySumUs;

    DiskMetrics(final Counters counters, final String disk, final String tenant)
    {
        requests = counters.counter(REQUESTS, "disk", disk, "tenant", tenant);
        readBytes = counters.counter(READ_BYTES, "disk", disk, "tenant", tenant);
        writtenBytes = counters.counter(WRITTEN_BYTES, "disk", disk, "tenant", tenant);
        splicedWrites = counters.counter(SPLICED_WRITES, "disk", disk, "tenant", tenant);
        spliceStalls = counters.counter("vplane_nbd_splice_stalls_total", "disk", disk, "tenant", tenant);
        upgrades = counters.counter("vplane_blk_upgrades_total", "disk", disk, "tenant", tenant);
        convertDoneBytes = counters.gauge("vplane_blk_convert_done_bytes", "disk", disk, "tenant", tenant);
        convertSizeBytes = counters.gauge("vplane_blk_convert_size_bytes", "disk", disk, "tenant", tenant);
        for (int i = 0; i < ERRNOS.length; i++)
        {
            errorsByErrno[ERRNOS[i]] = counters.counter(
                "vplane_nbd_request_errors_total", "disk", disk, "tenant", tenant, "error", ERRNO_NAMES[i]);
        }
        otherErrors = counters.counter(
            "vplane_nbd_request_errors_total", "disk", disk, "tenant", tenant, "error", "other");
        for (int i = 0; i < HistogramBuckets.COUNT; i++)
        {
            latencyBuckets[i] = counters.histogramPart(
                "vplane_nbd_request_latency_us_bucket", "disk", disk, "tenant", tenant, "le", HistogramBuckets.le(i));
        }
        latencySumUs = counters.histogramPart("vplane_nbd_request_latency_us_sum", "disk", disk, "tenant", tenant);
    }

    /** Records one request's latency; any thread, allocation-free. */
    void recordLatencyNs(final long nanos)
    {
        final long micros = Math.max(0, nanos) / 1000;
        latencyBuckets[HistogramBuckets.index(micros)].increment();
        latencySumUs.getAndAdd(micros);
    }

    /** Counts one error reply; any thread. */
    void countError(final int errno)
    {
        final AtomicCounter counter = errno > 0 && errno < errorsByErrno.length ? errorsByErrno[errno] : null;
        (null == counter ? otherErrors : counter).increment();
    }

    void close()
    {
        requests.close();
        readBytes.close();
        writtenBytes.close();
        splicedWrites.close();
        spliceStalls.close();
        upgrades.close();
        convertDoneBytes.close();
        convertSizeBytes.close();
        for (final AtomicCounter counter : errorsByErrno)
        {
            if (null != counter)
            {
                counter.close();
            }
        }
        otherErrors.close();
        for (final AtomicCounter counter : latencyBuckets)
        {
            counter.close();
        }
        latencySumUs.close();
    }
}
