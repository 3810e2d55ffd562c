package io.vplane.virtio.memory;

/**
 * One region of a SET_MEM_TABLE message (vhost-user.rst "Memory region description").
 *
 * @param guestPhysAddr where the region starts in guest-physical space (descriptor addresses)
 * @param size          bytes
 * @param userAddr      where it starts in the frontend's own address space (ring addresses)
 * @param mmapOffset    offset of the region in the file the fd refers to
 */
public record MemoryRegion(long guestPhysAddr, long size, long userAddr, long mmapOffset)
{
    @Override
    public String toString()
    {
        return "{gpa=0x" + Long.toHexString(guestPhysAddr) + " size=0x" + Long.toHexString(size) +
            " uaddr=0x" + Long.toHexString(userAddr) + " offset=0x" + Long.toHexString(mmapOffset) + "}";
    }
}
