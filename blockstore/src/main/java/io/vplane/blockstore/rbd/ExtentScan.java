package io.vplane.blockstore.rbd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where an image holds data, from {@code rbd_diff_iterate2} over the image itself (no "from"
 * snapshot, whole objects): with the object-map and fast-diff features librbd answers from the
 * object map without asking the OSDs. The callback writes into a small native record its argument
 * points to, so no Java state is shared with whichever thread librbd calls it on:
 * <pre>
 *   0  mode      0 = find data, 1 = find a hole
 *   8  from      the offset asked about
 *  16  found     the answer, or -1 while none
 *  24  covered   (mode 1) data runs without a gap up to here
 * </pre>
 */
final class ExtentScan
{
    private static final long MODE = 0;
    private static final long FROM = 8;
    private static final long FOUND = 16;
    private static final long COVERED = 24;
    private static final int RECORD_BYTES = 32;
    /**
     * The callback's "stop iterating" answer: librbd stops only on a negative one (and returns it
     * from rbd_diff_iterate2); a positive one is ignored. ECANCELED, which librbd never returns itself here.
     */
    private static final int STOP = -125;

    private static final MemorySegment CALLBACK;

    static
    {
        try
        {
            CALLBACK = Librbd.upcall(MethodHandles.lookup().findStatic(ExtentScan.class, "onExtent",
                MethodType.methodType(int.class, long.class, long.class, int.class, MemorySegment.class)),
                Librbd.EXTENT_CALLBACK, Arena.global());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private ExtentScan()
    {
    }

    /** @return the first offset at or after {@code from} holding data, or {@code size} */
    static long nextData(final Librbd lib, final MemorySegment image, final long from, final long size) throws IOException
    {
        return scan(lib, image, 0, from, size);
    }

    /** @return the first offset at or after {@code from} in a hole, or {@code size} */
    static long nextHole(final Librbd lib, final MemorySegment image, final long from, final long size) throws IOException
    {
        return scan(lib, image, 1, from, size);
    }

    private static long scan(final Librbd lib, final MemorySegment image, final long mode, final long from, final long size)
        throws IOException
    {
        if (from >= size)
        {
            return size;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment record = arena.allocate(RECORD_BYTES, 8);
            record.set(JAVA_LONG, MODE, mode);
            record.set(JAVA_LONG, FROM, from);
            record.set(JAVA_LONG, FOUND, -1);
            record.set(JAVA_LONG, COVERED, from);
            final int rc = (int)lib.rbdDiffIterate2.invokeExact(image, MemorySegment.NULL, from, size - from, (byte)1, (byte)1,
                CALLBACK, record);
            final long found = record.get(JAVA_LONG, FOUND);
            if (rc < 0 && !(STOP == rc && found >= 0))
            {
                throw new IOException(RbdErrors.describe("rbd_diff_iterate2", rc));
            }
            if (found >= 0)
            {
                return Math.min(found, size);
            }
            return 0 == mode ? size : Math.min(record.get(JAVA_LONG, COVERED), size);
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw Librbd.failed("rbd_diff_iterate2", ex);
        }
    }

    /** librbd: one extent, in increasing order. Never throws (that would end the JVM). */
    private static int onExtent(final long offset, final long length, final int exists, final MemorySegment arg)
    {
        try
        {
            final MemorySegment record = arg.reinterpret(RECORD_BYTES);
            final long from = record.get(JAVA_LONG, FROM);
            final long end = offset + length;
            if (record.get(JAVA_LONG, FOUND) >= 0)
            {
                return STOP; // answered already (should librbd call once more)
            }
            if (end <= from)
            {
                return 0;
            }
            if (0 == record.get(JAVA_LONG, MODE))
            {
                if (0 != exists)
                {
                    record.set(JAVA_LONG, FOUND, Math.max(offset, from));
                    return STOP;
                }
                return 0;
            }
            final long covered = record.get(JAVA_LONG, COVERED);
            if (0 == exists || offset > covered)
            {
                // A gap before this extent, or the extent itself is gone: the hole starts where data stopped.
                record.set(JAVA_LONG, FOUND, 0 == exists ? Math.max(Math.min(offset, covered), from) : covered);
                return STOP;
            }
            record.set(JAVA_LONG, COVERED, Math.max(covered, end));
            return 0;
        }
        catch (final Throwable ex)
        {
            return -RbdErrors.EIO;
        }
    }
}
