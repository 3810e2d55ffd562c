package io.vplane.blockstore.convert;

import io.vplane.blockstore.backend.SystemCallException;
import io.vplane.engine.errors.ErrorLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The background half of a conversion: a thread of its own (never a blk worker) copies every chunk
 * the map does not mark, in order, at no more than the configured rate, saving the map every
 * {@link #SAVE_INTERVAL_NS}. When all chunks are marked it saves the map and runs the finish action
 * (the switch to the target). It stops on {@link #stop} (cancel, close) or on the first error, which
 * it keeps for {@link #progress}; {@link #start} again resumes where the map says.
 */
public final class ChunkCopier
{
    private static final Logger LOG = LoggerFactory.getLogger(ChunkCopier.class);
    private static final long SAVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;

    /** What the copier is doing. */
    public enum State
    {
        COPYING, PAUSED, FAILED, SWITCHING, DONE
    }

    private final String disk;
    private final ConvertingBackend backend;
    private final ErrorLog errors;
    private volatile long rateBytesPerSec;
    private volatile State state = State.PAUSED;
    private volatile String error;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile long startedNs;
    /** When the copier last stopped (done, paused, failed); 0 while it runs. */
    private volatile long endedNs;
    /** Bytes this copier moved since its last start, for the rate. */
    private volatile long copiedSinceStart;
    private volatile long copiedTotal;
    private volatile ProgressSink sink = (done, total) -> { };

    ChunkCopier(final String disk, final ConvertingBackend backend, final ErrorLog errors, final long rateBytesPerSec)
    {
        this.disk = disk;
        this.backend = backend;
        this.errors = errors;
        this.rateBytesPerSec = rateBytesPerSec;
    }

    /**
     * Starts (or resumes) copying on a new thread unless one runs.
     *
     * @param rate   bytes per second, 0 for no limit; replaces the rate given before
     * @param finish run on the copier's thread once every chunk is in the target and the map saved
     */
    public synchronized void start(final long rate, final FinishAction finish)
    {
        rateBytesPerSec = rate;
        backend.map().rateBytesPerSec(rate);
        if (null != thread && thread.isAlive())
        {
            return;
        }
        stopping = false;
        error = null;
        state = State.COPYING;
        copiedSinceStart = 0;
        endedNs = 0;
        startedNs = System.nanoTime();
        final Thread started = new Thread(() -> run(finish), "vplane-convert-" + disk);
        started.setDaemon(true);
        thread = started;
        started.start();
    }

    /** Where the bytes done go after every chunk (the disk's gauges). */
    @FunctionalInterface
    public interface ProgressSink
    {
        void progress(long doneBytes, long totalBytes);
    }

    public void reportTo(final ProgressSink next)
    {
        sink = next;
    }

    /** What the copier does once every chunk is in the target. */
    @FunctionalInterface
    public interface FinishAction
    {
        void finish() throws Exception;
    }

    /** Stops copying after the chunk in progress; waits for the thread unless called from it. */
    public void stop()
    {
        stopping = true;
        final Thread running = thread;
        if (null != running && running != Thread.currentThread())
        {
            LockSupport.unpark(running);
            try
            {
                running.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (State.COPYING == state)
        {
            state = State.PAUSED;
        }
    }

    public State state()
    {
        return state;
    }

    public String error()
    {
        return error;
    }

    private void run(final FinishAction finish)
    {
        final ConversionMap map = backend.map();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(map.chunkBytes());
        long lastSaveNs = System.nanoTime();
        try
        {
            for (int chunk = 0; chunk < map.chunks(); chunk++)
            {
                if (stopping)
                {
                    backend.flush();
                    endedNs = System.nanoTime();
                    state = State.PAUSED;
                    LOG.info("disk {}: conversion paused at {} of {} bytes", disk, map.doneBytes(), map.sizeBytes());
                    return;
                }
                final int copied = backend.copyIfNotDone(chunk, buffer);
                copiedSinceStart += copied;
                copiedTotal += copied;
                if (copied > 0)
                {
                    sink.progress(map.doneBytes(), map.sizeBytes());
                }
                pace();
                if (System.nanoTime() - lastSaveNs > SAVE_INTERVAL_NS)
                {
                    backend.flush();
                    lastSaveNs = System.nanoTime();
                }
            }
            backend.flush();
            sink.progress(map.doneBytes(), map.sizeBytes());
            state = State.SWITCHING;
            LOG.info("disk {}: every chunk is in the target ({} bytes copied); switching the disk to it", disk, copiedTotal);
            finish.finish();
            endedNs = System.nanoTime();
            state = State.DONE;
        }
        catch (final Exception ex)
        {
            error = describe(ex);
            endedNs = System.nanoTime();
            state = State.FAILED;
            // Counted by cause in vplane_errors_total{component="convert"}; one log line per cause and repeat window.
            errors.record("convert", cause(ex), "disk " + disk + ": conversion stopped: " + error);
        }
    }

    /** Sleeps so that the bytes copied since the start stay at or under the rate. */
    private void pace()
    {
        final long rate = rateBytesPerSec;
        if (rate <= 0)
        {
            return;
        }
        final long dueNs = startedNs + (long)(copiedSinceStart * 1e9 / rate);
        final long waitNs = dueNs - System.nanoTime();
        if (waitNs > 0 && !stopping)
        {
            LockSupport.parkNanos(waitNs);
        }
    }

    private static boolean noSpace(final Exception ex)
    {
        return ex instanceof final SystemCallException failed && (ENOSPC == failed.errno() || EDQUOT == failed.errno()) ||
            String.valueOf(ex.getMessage()).contains("No space left on device");
    }

    /** The failure's short name for the errors counter. */
    private static String cause(final Exception ex)
    {
        return noSpace(ex) ? "ENOSPC" : ex instanceof IOException ? "io" : "failed";
    }

    private static String describe(final Exception ex)
    {
        if (noSpace(ex))
        {
            return "the target is full (ENOSPC): " + ex.getMessage() + ". Free space, then run the same convert command to resume; " +
                "meanwhile the disk serves copied chunks from the target and the rest from the source";
        }
        return ex instanceof IOException ? ex.getMessage() : ex.toString();
    }

    /** Bytes done and left, the rate since the last start and the time left at that rate. */
    public Map<String, Object> progress()
    {
        final ConversionMap map = backend.map();
        final long done = map.doneBytes();
        final long elapsedNs = Math.max(1, System.nanoTime() - startedNs);
        final long rate = State.COPYING == state ? (long)(copiedSinceStart * 1e9 / elapsedNs) : 0;
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        view.put("source", map.source());
        view.put("target", map.target());
        view.put("bytesDone", done);
        view.put("bytesTotal", map.sizeBytes());
        view.put("bytesCopied", copiedTotal);
        view.put("chunksWrittenByVm", backend.chunksWrittenFirst());
        view.put("chunkBytes", map.chunkBytes());
        view.put("rateLimitBytesPerSec", rateBytesPerSec);
        view.put("rateBytesPerSec", rate);
        view.put("etaSeconds", rate > 0 ? (map.sizeBytes() - done) / rate : -1);
        // Since the last start, to the switch to the target included: the conversion's own duration.
        view.put("elapsedMs", ((0 == endedNs ? System.nanoTime() : endedNs) - startedNs) / 1_000_000);
        if (null != error)
        {
            view.put("error", error);
        }
        return view;
    }
}
