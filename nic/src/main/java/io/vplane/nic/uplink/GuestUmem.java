package io.vplane.nic.uplink;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.MemoryMap;
import io.vplane.virtio.memory.GuestMemory;

import java.lang.foreign.MemorySegment;

/**
 * One contiguous UMEM over a guest's memory, so an AF_XDP socket can receive into its buffers.
 *
 * <p>An XSK has one UMEM, one contiguous virtual range, but a guest's memory is several regions
 * (separate mappings of the fds of SET_MEM_TABLE) with gaps between them in every address space.
 * Registering the daemon's own mappings would need one socket per region; registering a range that
 * spans the gaps fails (the kernel pins every page of the UMEM). So the UMEM is a reservation of
 * address space with, packed one after the other, the uplink's own chunks (anonymous memory, the
 * fallback copy path and transmit) and a second mapping of each region (mremap with an old size of
 * 0: the same shared pages, no fd needed). A guest buffer's UMEM offset is then its region's place
 * in the UMEM plus its offset in the region ({@link #offsetOf}); the daemon's mapping and the UMEM
 * show the same bytes.
 *
 * <p>The guest memory is retained while the UMEM exists, so the daemon's mapping, which the VM port
 * publishes through, stays valid for as long as the kernel may write into the guest's pages.
 */
final class GuestUmem implements AutoCloseable
{
    private final GuestMemory memory;
    private final MemorySegment umem;
    private final int regions;
    /** Per region: where the daemon maps it, its bytes, and where it starts in the UMEM. */
    private final long[] daemonStart;
    private final long[] length;
    private final long[] umemStart;

    private GuestUmem(final GuestMemory memory, final MemorySegment umem, final long[] daemonStart, final long[] length,
        final long[] umemStart)
    {
        this.memory = memory;
        this.umem = umem;
        this.regions = daemonStart.length;
        this.daemonStart = daemonStart;
        this.length = length;
        this.umemStart = umemStart;
    }

    /**
     * Maps {@code hostBytes} of own memory followed by every region of {@code memory}.
     *
     * @throws IllegalStateException saying which step failed (the memory is not shared, unmapped already, ...)
     */
    static GuestUmem map(final GuestMemory memory, final long hostBytes)
    {
        if (!memory.retain())
        {
            throw new IllegalStateException("the guest memory is unmapped already");
        }
        final int count = memory.regionCount();
        final long[] daemonStart = new long[count];
        final long[] length = new long[count];
        final long[] umemStart = new long[count];
        final long[] aliasStart = new long[count];
        final long[] aliasBytes = new long[count];
        long total = pages(hostBytes);
        for (int i = 0; i < count; i++)
        {
            final MemorySegment region = memory.segment(i);
            daemonStart[i] = region.address();
            length[i] = region.byteSize();
            aliasStart[i] = region.address() & -MemoryMap.PAGE_BYTES;
            aliasBytes[i] = pages(region.address() + region.byteSize()) - aliasStart[i];
            umemStart[i] = total + (region.address() - aliasStart[i]);
            total += aliasBytes[i];
        }
        final MemorySegment reserved = MemoryMap.reserve(total);
        if (MemorySegment.NULL.equals(reserved))
        {
            memory.release();
            throw new IllegalStateException("reserving " + total + " bytes of address space failed: " + Errno.describe(Errno.last()));
        }
        final long base = reserved.address();
        try
        {
            check("mmap of the uplink's own chunks", MemoryMap.anonymousAt(base, pages(hostBytes)));
            for (int i = 0; i < count; i++)
            {
                check("mremap alias of guest memory region " + i + " (" + aliasBytes[i] + " bytes; a shared mapping is needed)",
                    MemoryMap.aliasShared(aliasStart[i], aliasBytes[i], base + umemStart[i] - (daemonStart[i] - aliasStart[i])));
            }
        }
        catch (final IllegalStateException ex)
        {
            MemoryMap.munmap(base, total);
            memory.release();
            throw ex;
        }
        return new GuestUmem(memory, reserved.reinterpret(total), daemonStart, length, umemStart);
    }

    private static long pages(final long bytes)
    {
        return (bytes + MemoryMap.PAGE_BYTES - 1) & -MemoryMap.PAGE_BYTES;
    }

    private static void check(final String step, final int rc)
    {
        if (rc < 0)
        {
            throw new IllegalStateException(step + " failed: " + Errno.describe(-rc));
        }
    }

    /** The whole UMEM, own chunks first. */
    MemorySegment segment()
    {
        return umem;
    }

    GuestMemory memory()
    {
        return memory;
    }

    /**
     * The UMEM offset of the daemon's guest address {@code address}, when all of
     * [{@code address}, {@code address + bytes}) lies in one region; else -1.
     */
    long offsetOf(final long address, final long bytes)
    {
        for (int i = 0; i < regions; i++)
        {
            final long offset = address - daemonStart[i];
            if (offset >= 0 && offset < length[i] && bytes >= 0 && bytes <= length[i] - offset)
            {
                return umemStart[i] + offset;
            }
        }
        return -1;
    }

    /** After the socket over it is closed: unmaps the UMEM and lets go of the guest memory. */
    @Override
    public void close()
    {
        MemoryMap.munmap(umem.address(), umem.byteSize());
        memory.release();
    }
}
