package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An io_uring (Linux 5.1) for one thread, through the raw system calls: reads are queued as
 * submission entries in the shared ring ({@link #read}, {@link #readv}), handed to the kernel with
 * one {@code io_uring_enter} ({@link #submit}), and their completions taken from the completion
 * ring without a system call ({@link #completions}, {@link #userData}, {@link #result},
 * {@link #consume}). Reads of a non-blocking descriptor are queued with RWF_NOWAIT, so the kernel
 * performs each at once during the submit, and one with nothing to read completes with
 * {@code -EAGAIN} instead of waiting for data: after {@link #submit} returns, every read it
 * submitted has completed. Buffers are raw native addresses (guest memory too); allocates nothing
 * after {@link #open}.
 */
public final class IoUring implements AutoCloseable
{
    static final byte IORING_OP_READV = 1;
    static final byte IORING_OP_READ = 22;
    /** preadv2(2) flag: fail with EAGAIN rather than wait. */
    static final int RWF_NOWAIT = 0x8;

    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final long IORING_OFF_SQ_RING = 0;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;
    private static final int IORING_FEAT_SINGLE_MMAP = 1;

    /** struct io_uring_params: 120 bytes; its sq_off at 40 and cq_off at 80, each ten 32-bit fields then a 64-bit one. */
    private static final int PARAMS_BYTES = 120;
    private static final int SQ_ENTRIES = 0;
    private static final int CQ_ENTRIES = 4;
    private static final int FEATURES = 20;
    private static final int SQ_OFF = 40;
    private static final int CQ_OFF = 80;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;

    private static final MethodHandle SETUP = NativeCall.variadicDowncall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS), 1);
    private static final MethodHandle ENTER = NativeCall.retryingEintr(NativeCall.variadicDowncall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 1));
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int ringFd;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final long sqRingBytes;
    private final long cqRingBytes;
    private final long sqesBytes;
    private final int sqEntries;
    private final int sqMask;
    private final long sqTailOffset;
    private final int cqMask;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;
    /** Entries queued since the last submit, and the tail they end at. */
    private int queued;
    private int sqTail;
    private int cqHead;
    private int cqReady;

    private IoUring(final int ringFd, final MemorySegment params, final MemorySegment sqRing, final long sqRingBytes,
        final MemorySegment cqRing, final long cqRingBytes, final MemorySegment sqes, final long sqesBytes)
    {
        this.ringFd = ringFd;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sqRingBytes = sqRingBytes;
        this.cqRingBytes = cqRingBytes;
        this.sqesBytes = sqesBytes;
        this.sqEntries = params.get(JAVA_INT, SQ_ENTRIES);
        this.sqTailOffset = params.get(JAVA_INT, SQ_OFF + 4);
        this.sqMask = sqRing.get(JAVA_INT, params.get(JAVA_INT, SQ_OFF + 8));
        this.cqHeadOffset = params.get(JAVA_INT, CQ_OFF);
        this.cqTailOffset = params.get(JAVA_INT, CQ_OFF + 4);
        this.cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, CQ_OFF + 8));
        this.cqesOffset = params.get(JAVA_INT, CQ_OFF + 20);
        this.sqTail = (int)INT.getAcquire(sqRing, sqTailOffset);
        this.cqHead = (int)INT.getAcquire(cqRing, cqHeadOffset);
        // the submission array maps ring slot i to entry i, once: entries are written in ring order
        final long array = params.get(JAVA_INT, SQ_OFF + 24);
        for (int i = 0; i < sqEntries; i++)
        {
            sqRing.set(JAVA_INT, array + 4L * i, i);
        }
    }

    /**
     * A ring of {@code entries} submission entries (a power of two, at most 32768) and twice as
     * many completion entries.
     *
     * @throws IllegalStateException with the reason when this kernel offers none (ENOSYS, EPERM
     *     when io_uring is disabled by sysctl or seccomp)
     */
    @SuppressWarnings("restricted") // native access is enabled for the whole application in bin/jvm.options
    public static IoUring open(final int entries)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment params = arena.allocate(PARAMS_BYTES, 8);
            final int fd = (int)NativeCall.checked((long)SETUP.invokeExact(NativeCall.state(), SYS_IO_URING_SETUP, entries, params));
            if (fd < 0)
            {
                throw new IllegalStateException("io_uring_setup failed: " + Errno.describe(-fd));
            }
            final int sqCount = params.get(JAVA_INT, SQ_ENTRIES);
            final int cqCount = params.get(JAVA_INT, CQ_ENTRIES);
            long sqBytes = params.get(JAVA_INT, SQ_OFF + 24) + 4L * sqCount;
            long cqBytes = params.get(JAVA_INT, CQ_OFF + 20) + (long)CQE_BYTES * cqCount;
            final boolean single = (params.get(JAVA_INT, FEATURES) & IORING_FEAT_SINGLE_MMAP) != 0;
            if (single)
            {
                sqBytes = Math.max(sqBytes, cqBytes);
                cqBytes = sqBytes;
            }
            final int prot = MemoryMap.PROT_READ | MemoryMap.PROT_WRITE;
            final MemorySegment sq = MemoryMap.mmap(sqBytes, prot, MemoryMap.MAP_SHARED, fd, IORING_OFF_SQ_RING);
            final MemorySegment cq = single || MemorySegment.NULL.equals(sq) ? sq :
                MemoryMap.mmap(cqBytes, prot, MemoryMap.MAP_SHARED, fd, IORING_OFF_CQ_RING);
            final long sqesBytes = (long)SQE_BYTES * sqCount;
            final MemorySegment entriesMap = MemorySegment.NULL.equals(cq) ? cq :
                MemoryMap.mmap(sqesBytes, prot, MemoryMap.MAP_SHARED, fd, IORING_OFF_SQES);
            if (MemorySegment.NULL.equals(entriesMap))
            {
                final int errno = Errno.last();
                unmap(sq, sqBytes);
                if (!single)
                {
                    unmap(cq, cqBytes);
                }
                FileIo.close(fd);
                throw new IllegalStateException("io_uring ring mmap failed: " + Errno.describe(errno));
            }
            return new IoUring(fd, params, sq.reinterpret(sqBytes), sqBytes, cq.reinterpret(cqBytes), single ? 0 : cqBytes,
                entriesMap.reinterpret(sqesBytes), sqesBytes);
        }
        catch (final IllegalStateException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("io_uring_setup", ex);
        }
    }

    private static void unmap(final MemorySegment mapping, final long bytes)
    {
        if (!MemorySegment.NULL.equals(mapping))
        {
            MemoryMap.munmap(mapping.address(), bytes);
        }
    }

    /** Submission entries; at most this many reads are queued before a {@link #submit}. */
    public int capacity()
    {
        return sqEntries;
    }

    /** Entries queued and not yet submitted. */
    public int queued()
    {
        return queued;
    }

    /**
     * Queues a read of up to {@code length} bytes into {@code address}.
     *
     * @return false when the submission ring is full
     */
    public boolean read(final int fd, final long address, final int length, final long userData)
    {
        return queue(IORING_OP_READ, fd, address, length, userData);
    }

    /**
     * Queues a readv into {@code count} {@link Iovec} entries at {@code iovecs} (which must stay
     * valid until {@link #submit} returns).
     *
     * @return false when the submission ring is full
     */
    public boolean readv(final int fd, final long iovecs, final int count, final long userData)
    {
        return queue(IORING_OP_READV, fd, iovecs, count, userData);
    }

    private boolean queue(final byte opcode, final int fd, final long address, final int length, final long userData)
    {
        if (queued == sqEntries)
        {
            return false;
        }
        final long sqe = (long)(sqTail & sqMask) * SQE_BYTES;
        final MemorySegment entries = sqes;
        entries.set(JAVA_LONG, sqe, 0L); // opcode, flags, ioprio, fd: rewritten below
        entries.set(ValueLayout.JAVA_BYTE, sqe, opcode);
        entries.set(JAVA_INT, sqe + 4, fd);
        entries.set(JAVA_LONG, sqe + 8, 0L); // offset: ignored by streams and sockets
        entries.set(JAVA_LONG, sqe + 16, address);
        entries.set(JAVA_INT, sqe + 24, length);
        entries.set(JAVA_INT, sqe + 28, RWF_NOWAIT);
        entries.set(JAVA_LONG, sqe + 32, userData);
        entries.set(JAVA_LONG, sqe + 40, 0L); // buf_index, personality, splice_fd_in
        entries.set(JAVA_LONG, sqe + 48, 0L);
        entries.set(JAVA_LONG, sqe + 56, 0L);
        sqTail++;
        queued++;
        return true;
    }

    /**
     * Hands every queued entry to the kernel in one {@code io_uring_enter}; with RWF_NOWAIT reads
     * they have all completed when it returns.
     *
     * @return entries submitted, or {@code -errno}
     */
    public int submit()
    {
        if (queued == 0)
        {
            return 0;
        }
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        final int rc;
        try
        {
            rc = (int)(long)ENTER.invokeExact(NativeCall.state(), SYS_IO_URING_ENTER, ringFd, queued, 0, 0, 0L, 0L);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("io_uring_enter", ex);
        }
        if (rc > 0)
        {
            queued -= rc;
        }
        return rc;
    }

    /** Completions waiting in the ring, read with acquire: take them with {@link #userData}/{@link #result}, then {@link #consume}. */
    public int completions()
    {
        cqReady = (int)INT.getAcquire(cqRing, cqTailOffset) - cqHead;
        return cqReady;
    }

    /** The user data of waiting completion {@code i} (0 = oldest). */
    public long userData(final int i)
    {
        return cqRing.get(JAVA_LONG, cqesOffset + (long)((cqHead + i) & cqMask) * CQE_BYTES);
    }

    /** The result of waiting completion {@code i}: bytes read, or {@code -errno}. */
    public int result(final int i)
    {
        return cqRing.get(JAVA_INT, cqesOffset + (long)((cqHead + i) & cqMask) * CQE_BYTES + 8);
    }

    /** The oldest {@code n} completions are taken: their ring slots go back to the kernel. */
    public void consume(final int n)
    {
        cqHead += Math.min(n, cqReady);
        cqReady = Math.max(0, cqReady - n);
        INT.setRelease(cqRing, cqHeadOffset, cqHead);
    }

    @Override
    public void close()
    {
        MemoryMap.munmap(sqes.address(), sqesBytes);
        MemoryMap.munmap(sqRing.address(), sqRingBytes);
        if (cqRingBytes > 0)
        {
            MemoryMap.munmap(cqRing.address(), cqRingBytes);
        }
        FileIo.close(ringFd);
    }
}
