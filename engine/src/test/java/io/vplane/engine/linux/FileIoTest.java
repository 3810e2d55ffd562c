package io.vplane.engine.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FileIoTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReturnMinusErrnoWhenTheFileDoesNotExist()
    {
        assertThat(FileIo.open(dir.resolve("missing").toString(), FileIo.O_RDONLY)).isEqualTo(-Errno.ENOENT);
    }

    @Test
    void shouldReadBackWhatPositionedAndGatheringWritesWrote() throws Exception
    {
        java.nio.file.Files.write(dir.resolve("f"), new byte[0]);
        final int fd = FileIo.open(dir.resolve("f").toString(), FileIo.O_RDWR);
        assertThat(fd).isNotNegative();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment data = arena.allocateFrom("abcdefgh");
            assertThat(FileIo.pwrite(fd, data.address(), 4, 8192)).isEqualTo(4);

            final MemorySegment iovecs = FileIo.iovecs();
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.BASE_OFFSET, data.address() + 4);
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.LENGTH_OFFSET, 2L);
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.SIZE + Iovec.BASE_OFFSET, data.address() + 6);
            iovecs.set(ValueLayout.JAVA_LONG, Iovec.SIZE + Iovec.LENGTH_OFFSET, 2L);
            assertThat(FileIo.pwritev(fd, iovecs, 2, 8196)).isEqualTo(4);

            final MemorySegment read = arena.allocate(9); // and a NUL
            assertThat(FileIo.pread(fd, read.address(), 8, 8192)).isEqualTo(8);
            assertThat(read.getString(0)).isEqualTo("abcdefgh");
            assertThat(FileIo.fileSize(fd)).isEqualTo(8200);
            assertThat(FileIo.lseek(fd, 0, FileIo.SEEK_DATA)).as("the first 8 KiB are a hole").isEqualTo(8192);
        }
        finally
        {
            assertThat(FileIo.close(fd)).isZero();
        }
    }

    @Test
    void shouldDuplicateADescriptorAndCloseNothingForANegativeOne()
    {
        final int eventFd = EventFd.create(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        final int copy = FileIo.dup(eventFd);
        try
        {
            assertThat(copy).isNotNegative().isNotEqualTo(eventFd);
            EventFd.signal(copy);
            assertThat(EventFd.read(eventFd)).isEqualTo(1);
            assertThat(EventFd.read(eventFd)).isEqualTo(-Errno.EAGAIN);
            assertThat(FileIo.close(-1)).isZero();
        }
        finally
        {
            FileIo.close(copy);
            FileIo.close(eventFd);
        }
    }
}
