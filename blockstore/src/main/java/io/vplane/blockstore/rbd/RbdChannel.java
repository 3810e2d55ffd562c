package io.vplane.blockstore.rbd;

import io.vplane.blockstore.backend.BackendChannel;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.linux.Iovec;
import io.netty.util.internal.PlatformDependent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One disk queue's requests to librbd. The queue's worker starts each with an {@code rbd_aio_*}
 * call and goes on; librbd calls back on its own threads ({@link #onComplete}, an upcall stub), and
 * the callback hands the request on through the {@link BlockCompletions} it came with (straight to
 * an NBD connection's reply queue, else to the worker's lock-free queue and doorbell): the worker
 * never waits for the cluster. Each
 * request has a preallocated slot holding what librbd needs until it calls back: the completion
 * handle, the iovecs of a gathered WRITE, a bounce buffer for data not in native memory. READ and
 * WRITE data are the front end's direct buffers, referenced by the request until it completes.
 */
final class RbdChannel implements BackendChannel
{
    /** Requests one disk queue keeps in flight at most (librbd queues more happily; the client's depth is usually 16 to 64). */
    static final int SLOTS = 128;
    /** Pieces a WRITE is gathered from with rbd_aio_writev; more are copied into one buffer. */
    private static final int MAX_IOVECS = 64;
    /** rbd_aio_write_zeroes flag: allocate the range instead of making a hole (librbd.h). */
    private static final int WRITE_ZEROES_THICK = 1;
    private static final Logger LOG = LoggerFactory.getLogger(RbdChannel.class);

    /** The one upcall stub every channel's completions go through; its argument names the channel and the slot. */
    private static final MemorySegment CALLBACK;
    private static final Object REGISTRY_LOCK = new Object();
    /** Open channels by id, copied on change, read by librbd's callback threads. */
    private static volatile RbdChannel[] channels = new RbdChannel[16];

    static
    {
        try
        {
            CALLBACK = Librbd.upcall(MethodHandles.lookup().findStatic(RbdChannel.class, "onComplete",
                MethodType.methodType(void.class, long.class, long.class)), Librbd.COMPLETION_CALLBACK, Arena.global());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RbdBackend backend;
    private final Librbd lib;
    private final int id;
    private final Slot[] slots = new Slot[SLOTS];
    /** Slots not in use: taken by the worker, given back by librbd's threads. */
    private final ManyToOneConcurrentArrayQueue<Slot> free = new ManyToOneConcurrentArrayQueue<>(SLOTS);
    /** Slot memory; lives as long as the channel, which outlives its requests (the session is closed first). */
    private final Arena arena = Arena.ofShared();

    RbdChannel(final RbdBackend backend, final Librbd lib)
    {
        this.backend = backend;
        this.lib = lib;
        // Registered before any request: a callback can only come for a slot submitted after this.
        this.id = register(this);
        for (int i = 0; i < SLOTS; i++)
        {
            slots[i] = new Slot(((long)id << 16) | i, arena);
            free.offer(slots[i]);
        }
    }

    @Override
    public int capacity()
    {
        return SLOTS;
    }

    @Override
    public boolean submit(final BlockRequest request, final ByteBuffer[] data, final BlockCompletions done)
    {
        final Slot slot = free.poll();
        if (null == slot)
        {
            return false;
        }
        final RbdSession session = backend.session();
        if (null == session || !session.enter())
        {
            free.offer(slot);
            done.completed(request, backend.disconnected(request));
            return true;
        }
        slot.request = request;
        slot.done = done;
        slot.session = session;
        slot.flushAfter = request.hasFlag(BlockFlags.FUA) && BlockOp.FLUSH != request.op();
        if (BlockOp.WRITE_ZEROES == request.op() && request.hasFlag(BlockFlags.NO_HOLE) && request.hasFlag(BlockFlags.FAST_ZERO))
        {
            // Zeroing that must allocate writes every byte: not fast (NBD proto.md: NBD_CMD_FLAG_FAST_ZERO).
            finish(slot, -RbdErrors.EIO, BlockError.NOT_SUPPORTED);
            return true;
        }
        final int rc = start(slot, session.image, request, data, slot.arg);
        if (rc < 0)
        {
            finish(slot, rc, null);
        }
        return true;
    }

    /** Starts the request's librbd call. @return 0, or -errno when librbd refused it (then no callback comes) */
    private int start(final Slot slot, final MemorySegment image, final BlockRequest request, final ByteBuffer[] data,
        final long arg)
    {
        try
        {
            int rc = (int)lib.aioCreateCompletion.invokeExact(arg, CALLBACK, slot.out);
            if (rc < 0)
            {
                return rc;
            }
            final long completion = slot.out.get(JAVA_LONG, 0);
            final long offset = request.offset();
            final long length = request.length();
            rc = switch (request.op())
            {
                case READ -> (int)lib.aioRead.invokeExact(image, offset, length, readInto(slot, data[0]), completion);
                case WRITE -> write(slot, image, offset, data, completion);
                case FLUSH -> (int)lib.aioFlush.invokeExact(image, completion);
                case TRIM -> (int)lib.aioDiscard.invokeExact(image, offset, length, completion);
                case WRITE_ZEROES -> (int)lib.aioWriteZeroes.invokeExact(image, offset, length, completion,
                    request.hasFlag(BlockFlags.NO_HOLE) ? WRITE_ZEROES_THICK : 0, 0);
                default -> -RbdErrors.EINVAL;
            };
            if (rc < 0)
            {
                lib.aioRelease.invokeExact(completion);
            }
            return rc;
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed("rbd_aio_" + request.op(), ex);
        }
    }

    /** Where librbd reads into: the reply buffer itself, or the slot's bounce buffer copied out on completion. */
    private static long readInto(final Slot slot, final ByteBuffer dst)
    {
        if (dst.isDirect())
        {
            return address(dst);
        }
        slot.readBack = dst;
        return slot.bounce(dst.remaining()).address();
    }

    /** The native address of a direct buffer's position, without making a segment per request where Netty can read it. */
    private static long address(final ByteBuffer direct)
    {
        return PlatformDependent.hasUnsafe() ? PlatformDependent.directBufferAddress(direct) + direct.position() :
            MemorySegment.ofBuffer(direct).address();
    }

    private int write(final Slot slot, final MemorySegment image, final long offset, final ByteBuffer[] data,
        final long completion) throws Throwable
    {
        if (1 == data.length && data[0].isDirect())
        {
            return (int)lib.aioWrite.invokeExact(image, offset, (long)data[0].remaining(), address(data[0]), completion);
        }
        boolean direct = data.length <= MAX_IOVECS;
        for (int i = 0; direct && i < data.length; i++)
        {
            direct = data[i].isDirect();
        }
        if (direct)
        {
            for (int i = 0; i < data.length; i++)
            {
                slot.iovecs.set(JAVA_LONG, (long)i * Iovec.SIZE + Iovec.BASE_OFFSET, address(data[i]));
                slot.iovecs.set(JAVA_LONG, (long)i * Iovec.SIZE + Iovec.LENGTH_OFFSET, data[i].remaining());
            }
            return (int)lib.aioWritev.invokeExact(image, slot.iovecs, data.length, offset, completion);
        }
        long total = 0;
        for (final ByteBuffer piece : data)
        {
            total += piece.remaining();
        }
        final MemorySegment bounce = slot.bounce(total);
        long at = 0;
        for (final ByteBuffer piece : data)
        {
            final MemorySegment from = MemorySegment.ofBuffer(piece);
            MemorySegment.copy(from, 0, bounce, at, from.byteSize());
            at += from.byteSize();
        }
        return (int)lib.aioWrite.invokeExact(image, offset, total, bounce.address(), completion);
    }

    /** librbd's thread: a request's call completed. Never throws: an exception here would end the JVM. */
    private static void onComplete(final long completion, final long key)
    {
        try
        {
            final RbdChannel channel = channels[(int)(key >>> 16)];
            channel.completed(channel.slots[(int)(key & 0xFFFF)], completion);
        }
        catch (final Throwable ex)
        {
            LOG.error("rbd completion failed; the request stays unanswered", ex);
        }
    }

    private void completed(final Slot slot, final long completion) throws Throwable
    {
        long rc = (long)lib.aioGetReturnValue.invokeExact(completion);
        lib.aioRelease.invokeExact(completion);
        if (rc >= 0 && slot.flushAfter)
        {
            // FUA: the data is durable before the reply; the flush's completion comes back here.
            slot.flushAfter = false;
            rc = flush(slot);
            if (rc >= 0)
            {
                return;
            }
        }
        if (rc >= 0 && null != slot.readBack)
        {
            MemorySegment.copy(slot.bounceBuffer, 0, MemorySegment.ofBuffer(slot.readBack), 0, slot.readBack.remaining());
        }
        finish(slot, rc < 0 ? (int)rc : 0, null);
    }

    private int flush(final Slot slot) throws Throwable
    {
        int rc = (int)lib.aioCreateCompletion.invokeExact(slot.arg, CALLBACK, slot.out);
        if (rc >= 0)
        {
            final long completion = slot.out.get(JAVA_LONG, 0);
            rc = (int)lib.aioFlush.invokeExact(slot.session.image, completion);
            if (rc < 0)
            {
                lib.aioRelease.invokeExact(completion);
            }
        }
        return rc;
    }

    /** Gives the slot back and the request to its worker; any thread. @param outcome null: from {@code rc} */
    private void finish(final Slot slot, final int rc, final BlockError outcome)
    {
        final BlockRequest request = slot.request;
        final BlockCompletions done = slot.done;
        final RbdSession session = slot.session;
        slot.request = null;
        slot.done = null;
        slot.session = null;
        slot.readBack = null;
        slot.flushAfter = false;
        BlockError error = null == outcome ? BlockError.NONE : outcome;
        if (null == outcome && rc < 0)
        {
            error = backend.failed(request, -rc, session);
        }
        session.exit();
        free.offer(slot);
        done.completed(request, error);
    }

    @Override
    public void close()
    {
        unregister(id);
        // The slots' memory is released with the backend, after its session is closed and no callback can come.
        backend.closeWithSession(arena);
    }

    private static int register(final RbdChannel channel)
    {
        synchronized (REGISTRY_LOCK)
        {
            RbdChannel[] table = channels;
            int id = 0;
            while (id < table.length && null != table[id])
            {
                id++;
            }
            if (id == table.length)
            {
                if (table.length >= 1 << 15)
                {
                    throw new IllegalStateException("too many rbd disk queues open: " + table.length);
                }
                table = java.util.Arrays.copyOf(table, table.length * 2);
            }
            else
            {
                table = table.clone();
            }
            table[id] = channel;
            channels = table;
            return id;
        }
    }

    private static void unregister(final int id)
    {
        synchronized (REGISTRY_LOCK)
        {
            final RbdChannel[] table = channels.clone();
            table[id] = null;
            channels = table;
        }
    }

    /** What one request in flight needs until librbd calls back. */
    private static final class Slot
    {
        /** The callback's argument: channel id and slot index, not a pointer. */
        final long arg;
        /** Where rbd_aio_create_completion writes the handle. */
        final MemorySegment out;
        final MemorySegment iovecs;
        MemorySegment bounceBuffer;
        BlockRequest request;
        BlockCompletions done;
        RbdSession session;
        ByteBuffer readBack;
        boolean flushAfter;

        Slot(final long key, final Arena arena)
        {
            this.arg = key;
            this.out = arena.allocate(ADDRESS);
            this.iovecs = arena.allocate((long)MAX_IOVECS * Iovec.SIZE, 8);
        }

        /** A native buffer of at least {@code bytes}, grown (rarely: heap data or a WRITE in many pieces). */
        MemorySegment bounce(final long bytes)
        {
            if (null == bounceBuffer || bounceBuffer.byteSize() < bytes)
            {
                // Freed by the collector once the slot lets go: never the whole request size times every slot for good.
                bounceBuffer = Arena.ofAuto().allocate(Math.max(bytes, 64 * 1024), 4096);
            }
            return bounceBuffer.asSlice(0, bytes);
        }
    }
}
