package io.vplane.engine.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The machines vplane runs on (Linux 5.14 or later) have every capability the layer probes. */
class KernelCapabilityTest
{
    @Test
    void shouldFindPopulateReadAndUseItOnAMapping()
    {
        assertThat(MemoryMap.populateRead().isAvailable()).as(MemoryMap.populateRead().toString()).isTrue();
        final int fd = MemFd.create("populate", 2 * MemoryMap.PAGE_BYTES);
        final MemorySegment mapped = MemoryMap.mmap(2 * MemoryMap.PAGE_BYTES, MemoryMap.PROT_READ | MemoryMap.PROT_WRITE, MemoryMap.MAP_SHARED, fd, 0);
        try
        {
            assertThat(mapped).isNotEqualTo(MemorySegment.NULL);
            assertThat(MemoryMap.madvise(mapped.address() + 10, 100, MemoryMap.MADV_POPULATE_READ)).isZero();
            assertThat(MemoryMap.resident(mapped.address(), MemoryMap.PAGE_BYTES)).isEqualTo(1);
        }
        finally
        {
            MemoryMap.munmap(mapped.address(), 2 * MemoryMap.PAGE_BYTES);
            FileIo.close(fd);
        }
    }

    @Test
    void shouldFindMemfdAndSpliceOrSayWhyNot()
    {
        assertThat(MemFd.capability().isAvailable()).as(MemFd.capability().toString()).isTrue();
        assertThat(Pipes.spliceFromSocket().isAvailable()).as(Pipes.spliceFromSocket().toString()).isTrue();
        assertThat(Pipes.spliceFromSocket().missingReason()).isEmpty();
    }

    @Test
    void shouldKeepTheErrnoOfTheLastFailedCallOfThisThread()
    {
        assertThat(MemoryMap.mmap(MemoryMap.PAGE_BYTES, MemoryMap.PROT_READ, MemoryMap.MAP_SHARED, -1, 0)).isEqualTo(MemorySegment.NULL);
        assertThat(Errno.describe(Errno.last())).isEqualTo("EBADF");
    }
}
