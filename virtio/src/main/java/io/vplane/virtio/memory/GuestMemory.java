package io.vplane.virtio.memory;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.FileSeals;
import io.vplane.engine.linux.MemoryMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest memory a frontend shared with SET_MEM_TABLE, mapped into this process. Each region
 * is known by three addresses: its guest-physical address (what descriptors carry), its address
 * in the frontend's process (what SET_VRING_ADDR carries, vhost-user.rst "Memory regions"), and
 * where this process mapped it. Every translation checks that the whole range lies in one region.
 * <p>
 * The segments belong to a shared arena, unmapped when the owner has closed it and every ring a
 * worker was given has been released ({@link #retain()}); an access after that fails with an
 * exception instead of touching unmapped memory.
 */
public final class GuestMemory implements AutoCloseable
{
    public static final int MAX_REGIONS = 8;

    private final int count;
    private final long[] guestStart;
    private final long[] userStart;
    private final long[] length;
    private final MemorySegment[] segments;
    private final Arena arena;
    /** The owner's reference and one per ring a worker may still touch. */
    private final AtomicInteger references = new AtomicInteger(1);
    private boolean closed;

    private GuestMemory(final MemoryRegion[] regions, final MemorySegment[] segments, final Arena arena)
    {
        this.count = regions.length;
        this.guestStart = new long[count];
        this.userStart = new long[count];
        this.length = new long[count];
        for (int i = 0; i < count; i++)
        {
            guestStart[i] = regions[i].guestPhysAddr();
            userStart[i] = regions[i].userAddr();
            length[i] = regions[i].size();
        }
        this.segments = segments;
        this.arena = arena;
    }

    /**
     * Validates the table and maps each region's fd. On failure nothing stays mapped; the fds are
     * the caller's to close either way (a mapping keeps its own reference to the file).
     *
     * @throws GuestMemoryException naming the first problem found
     */
    public static GuestMemory map(final MemoryRegion[] regions, final int[] fds)
    {
        return map(regions, fds, GuestMemoryLimits.defaults());
    }

    /**
     * Same as {@link #map(MemoryRegion[], int[])} within {@code limits}. A memfd its frontend could
     * have sealed against shrinking and did not is refused (F_SEAL_SHRINK, {@link FileSeals});
     * files that take no seals (QEMU's memory-backend-file, DPDK's memfd without
     * MFD_ALLOW_SEALING) are mapped, and a shrink under them is contained by the data path, which
     * turns the fault (SIGBUS, the JVM's InternalError) into a broken vring of that device.
     */
    public static GuestMemory map(final MemoryRegion[] regions, final int[] fds, final GuestMemoryLimits limits)
    {
        validate(regions, fds.length, limits);
        for (int i = 0; i < fds.length; i++)
        {
            if (!FileSeals.shrinkSealedOrUnsealable(fds[i]))
            {
                throw new GuestMemoryException("region " + i + ": its memfd takes seals but is not sealed against " +
                    "shrinking (F_SEAL_SHRINK)");
            }
        }
        final Arena arena = Arena.ofShared();
        final MemorySegment[] segments = new MemorySegment[regions.length];
        try
        {
            for (int i = 0; i < regions.length; i++)
            {
                final MemoryRegion region = regions[i];
                // Map from file offset 0 and skip mmap_offset in memory, as it need not be page aligned.
                final long mapLength = region.mmapOffset() + region.size();
                // Pages past the end of the file would raise SIGBUS on access: refuse them up front.
                final long fileSize = FileIo.fileSize(fds[i]);
                if (fileSize >= 0 && mapLength > fileSize)
                {
                    throw new GuestMemoryException("region " + i + " ends at file offset " + mapLength +
                        " but its file has only " + fileSize + " bytes");
                }
                final MemorySegment base = MemoryMap.mmap(mapLength, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE, MemoryMap.MAP_SHARED, fds[i], 0);
                if (base.equals(MemorySegment.NULL))
                {
                    throw new GuestMemoryException("region " + i + ": mmap of " + mapLength + " bytes failed: " +
                        Errno.describe(Errno.last()));
                }
                final long address = base.address();
                MemorySegment.ofAddress(address).reinterpret(mapLength, arena, ignore -> MemoryMap.munmap(address, mapLength));
                segments[i] = MemorySegment.ofAddress(address + region.mmapOffset()).reinterpret(region.size(), arena, null);
            }
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
        return new GuestMemory(regions, segments, arena);
    }

    /** Wraps memory this process owns already (tests, in-process frontends); close does not unmap it. */
    public static GuestMemory wrap(final MemoryRegion[] regions, final MemorySegment[] memory)
    {
        validate(regions, memory.length, GuestMemoryLimits.defaults());
        final Arena arena = Arena.ofShared();
        final MemorySegment[] segments = new MemorySegment[regions.length];
        for (int i = 0; i < regions.length; i++)
        {
            segments[i] = memory[i].reinterpret(regions[i].size(), arena, null);
        }
        return new GuestMemory(regions, segments, arena);
    }

    static void validate(final MemoryRegion[] regions, final int fdCount)
    {
        validate(regions, fdCount, GuestMemoryLimits.defaults());
    }

    static void validate(final MemoryRegion[] regions, final int fdCount, final GuestMemoryLimits limits)
    {
        if (regions.length == 0 || regions.length > limits.maxRegions())
        {
            throw new GuestMemoryException("memory table has " + regions.length + " regions; allowed 1.." + limits.maxRegions());
        }
        if (fdCount != regions.length)
        {
            throw new GuestMemoryException("memory table has " + regions.length + " regions but came with " + fdCount + " fds");
        }
        long total = 0;
        for (int i = 0; i < regions.length; i++)
        {
            final MemoryRegion r = regions[i];
            if (r.size() <= 0)
            {
                throw new GuestMemoryException("region " + i + " has size " + Long.toUnsignedString(r.size()));
            }
            if (r.size() > limits.maxRegionBytes())
            {
                throw new GuestMemoryException("region " + i + " has " + r.size() + " bytes; allowed " + limits.maxRegionBytes());
            }
            // each size is at most maxRegionBytes, a long; the sum of at most 8 of them saturates, never wraps
            total = total > Long.MAX_VALUE - r.size() ? Long.MAX_VALUE : total + r.size();
            if (total > limits.maxTotalBytes())
            {
                throw new GuestMemoryException("memory table has more than " + limits.maxTotalBytes() + " bytes in its first " +
                    (i + 1) + " regions");
            }
            if (wraps(r.guestPhysAddr(), r.size()) || wraps(r.userAddr(), r.size()) ||
                r.mmapOffset() < 0 || wraps(r.mmapOffset(), r.size()) || r.mmapOffset() + r.size() < 0)
            {
                throw new GuestMemoryException("region " + i + " wraps the address space: " + r);
            }
            for (int j = 0; j < i; j++)
            {
                final MemoryRegion other = regions[j];
                if (overlaps(r.guestPhysAddr(), r.size(), other.guestPhysAddr(), other.size()))
                {
                    throw new GuestMemoryException("regions " + j + " and " + i + " overlap in guest-physical space");
                }
                if (overlaps(r.userAddr(), r.size(), other.userAddr(), other.size()))
                {
                    throw new GuestMemoryException("regions " + j + " and " + i + " overlap in frontend-virtual space");
                }
            }
        }
    }

    public int regionCount()
    {
        return count;
    }

    /**
     * Finds the region holding all of guest-physical [{@code address}, {@code address + len}).
     *
     * @return the region index, or -1 when no single region holds it
     */
    public int findGuest(final long address, final long len)
    {
        for (int i = 0; i < count; i++)
        {
            final long offset = address - guestStart[i];
            if (Long.compareUnsigned(offset, length[i]) < 0 && Long.compareUnsigned(len, length[i] - offset) <= 0)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether region {@code region} holds all of guest-physical [{@code address}, {@code address + len}):
     * the cheap re-check of a cached {@link #findGuest} answer. Any int is accepted as region.
     */
    public boolean holdsGuest(final int region, final long address, final long len)
    {
        if (region < 0 || region >= count)
        {
            return false;
        }
        final long offset = address - guestStart[region];
        return Long.compareUnsigned(offset, length[region]) < 0 && Long.compareUnsigned(len, length[region] - offset) <= 0;
    }

    /** Offset of guest-physical {@code address} in {@link #segment(int) segment(region)}. */
    public long guestOffset(final int region, final long address)
    {
        return address - guestStart[region];
    }

    public MemorySegment segment(final int region)
    {
        return segments[region];
    }

    /**
     * The mapped bytes at frontend-virtual [{@code address}, {@code address + len}), for ring set-up.
     *
     * @return null when no single region holds the range
     */
    public MemorySegment userSlice(final long address, final long len)
    {
        for (int i = 0; i < count; i++)
        {
            final long offset = address - userStart[i];
            if (Long.compareUnsigned(offset, length[i]) < 0 && Long.compareUnsigned(len, length[i] - offset) <= 0)
            {
                return segments[i].asSlice(offset, len);
            }
        }
        return null;
    }

    /** Same as {@link #userSlice} for a guest-physical range. */
    public MemorySegment guestSlice(final long address, final long len)
    {
        final int region = findGuest(address, len);
        return region < 0 ? null : segments[region].asSlice(address - guestStart[region], len);
    }

    /**
     * Takes a reference for a ring handed to a worker: the regions stay mapped until every
     * reference is {@link #release() released}, the owner's ({@link #close()}) included.
     *
     * @return false when the memory is unmapped already
     */
    public boolean retain()
    {
        int refs;
        do
        {
            refs = references.get();
            if (refs <= 0)
            {
                return false;
            }
        }
        while (!references.compareAndSet(refs, refs + 1));
        return true;
    }

    /** Drops a reference; the last one unmaps every region. */
    public void release()
    {
        if (references.decrementAndGet() == 0)
        {
            arena.close();
        }
    }

    /** Whether the regions are still mapped. */
    public boolean isMapped()
    {
        return arena.scope().isAlive();
    }

    /**
     * The owner lets go: every region is unmapped once no worker holds a ring on it any more
     * ({@link #retain()}), never under one.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            release();
        }
    }

    private static boolean wraps(final long start, final long size)
    {
        return Long.compareUnsigned(start + size, start) < 0 || (start + size == 0 && size != 0 && start != 0);
    }

    private static boolean overlaps(final long aStart, final long aSize, final long bStart, final long bSize)
    {
        return Long.compareUnsigned(aStart, bStart + bSize) < 0 && Long.compareUnsigned(bStart, aStart + aSize) < 0;
    }
}
