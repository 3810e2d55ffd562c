package io.vplane.virtio.memory;

import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class GuestMemoryTest
{
    private static final MemoryRegion A = new MemoryRegion(0x1000_0000L, 0x10000, 0x7f00_0000_0000L, 0);

    @Test
    void shouldShareBytesWithTheFrontendThroughTheMappedFd()
    {
        final int fd = MemFd.create("ram", 0x20000);
        try (GuestMemory frontend = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(0, 0x20000, 0, 0)}, new int[] {fd});
             GuestMemory backend = GuestMemory.map(new MemoryRegion[] {new MemoryRegion(0x1000_0000L, 0x10000, 0x7f00_0000_0000L, 0x10000)}, new int[] {fd}))
        {
            frontend.segment(0).set(ValueLayout.JAVA_LONG, 0x10008, 0x1122334455667788L);
            final int region = backend.findGuest(0x1000_0008L, 8);
            assertThat(region).isZero();
            assertThat(backend.segment(region).get(ValueLayout.JAVA_LONG, backend.guestOffset(region, 0x1000_0008L)))
                .isEqualTo(0x1122334455667788L);
            assertThat(backend.userSlice(0x7f00_0000_0008L, 8).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1122334455667788L);
        }
        finally
        {
            FileIo.close(fd);
        }
    }

    @Test
    void shouldRefuseRangesThatLeaveTheRegion()
    {
        final int fd = MemFd.create("ram", 0x10000);
        try (GuestMemory memory = GuestMemory.map(new MemoryRegion[] {A}, new int[] {fd}))
        {
            assertThat(memory.findGuest(0x1000_0000L, 0x10000)).isZero();
            assertThat(memory.findGuest(0x1000_0000L, 0x10001)).isEqualTo(-1);
            assertThat(memory.findGuest(0x1000_FFFFL, 2)).isEqualTo(-1);
            assertThat(memory.findGuest(0x0FFF_FFFFL, 1)).isEqualTo(-1);
            assertThat(memory.findGuest(0x1000_0010L, -1L)).isEqualTo(-1);
            assertThat(memory.findGuest(-1L, 1)).isEqualTo(-1);
            assertThat(memory.userSlice(0x7f00_0000_0000L + 0xFFF8, 16)).isNull();
        }
        finally
        {
            FileIo.close(fd);
        }
    }

    @Test
    void shouldRejectBadTables()
    {
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[0], 0)).hasMessageContaining("0 regions");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[9], 9)).hasMessageContaining("9 regions");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {A}, 2)).hasMessageContaining("came with 2 fds");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {new MemoryRegion(0, 0, 0, 0)}, 1))
            .hasMessageContaining("size 0");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {new MemoryRegion(-4096, 8192, 0, 0)}, 1))
            .hasMessageContaining("wraps");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {new MemoryRegion(0, 8192, -4096, 0)}, 1))
            .hasMessageContaining("wraps");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {A, new MemoryRegion(0x1000_8000L, 0x10000, 0, 0)}, 2))
            .hasMessageContaining("overlap in guest-physical");
        assertThatThrownBy(() -> GuestMemory.validate(new MemoryRegion[] {A, new MemoryRegion(0, 0x10000, 0x7f00_0000_F000L, 0)}, 2))
            .hasMessageContaining("overlap in frontend-virtual");
    }

    @Test
    void shouldFailMappingABadFdWithoutLeavingAnythingMapped()
    {
        assertThatThrownBy(() -> GuestMemory.map(new MemoryRegion[] {A}, new int[] {-1})).hasMessageContaining("mmap");
    }

    @Test
    void shouldFailSafelyWhenAccessedAfterClose()
    {
        final int fd = MemFd.create("ram", 0x10000);
        final GuestMemory memory = GuestMemory.map(new MemoryRegion[] {A}, new int[] {fd});
        FileIo.close(fd);
        memory.close();
        assertThatThrownBy(() -> memory.segment(0).get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
}
