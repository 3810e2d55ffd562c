package io.vplane.engine.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class IoUringTest
{
    @Test
    void shouldCompleteEveryReadOfOneSubmitAtOnceAndThoseWithNothingToReadWithEagain()
    {
        final int[] pipe = new int[2];
        assertThat(Pipes.pipe(pipe, FileIo.O_NONBLOCK | FileIo.O_CLOEXEC)).isZero();
        try (IoUring ring = IoUring.open(8); Arena arena = Arena.ofConfined())
        {
            final MemorySegment source = arena.allocate(6);
            for (int i = 0; i < 6; i++)
            {
                source.set(JAVA_BYTE, i, (byte)(i + 1));
            }
            assertThat(FileIo.write(pipe[1], source.address(), 6)).isEqualTo(6);
            final MemorySegment buffers = arena.allocate(4 * 2);
            final MemorySegment iovec = arena.allocate(Iovec.SIZE, 8);
            iovec.set(JAVA_LONG, Iovec.BASE_OFFSET, buffers.address() + 6);
            iovec.set(JAVA_LONG, Iovec.LENGTH_OFFSET, 2L);
            for (int i = 0; i < 3; i++)
            {
                assertThat(ring.read(pipe[0], buffers.address() + 2L * i, 2, 100 + i)).isTrue();
            }
            assertThat(ring.readv(pipe[0], iovec.address(), 1, 103)).isTrue();
            assertThat(ring.queued()).isEqualTo(4);

            assertThat(ring.submit()).isEqualTo(4);

            assertThat(ring.queued()).isZero();
            assertThat(ring.completions()).isEqualTo(4);
            for (int i = 0; i < 3; i++)
            {
                assertThat(ring.userData(i)).isEqualTo(100 + i);
                assertThat(ring.result(i)).isEqualTo(2);
            }
            assertThat(ring.userData(3)).isEqualTo(103);
            assertThat(ring.result(3)).as("nothing left to read: no waiting in the kernel").isEqualTo(-Errno.EAGAIN);
            ring.consume(4);
            assertThat(ring.completions()).isZero();
            for (int i = 0; i < 6; i++)
            {
                assertThat(buffers.get(JAVA_BYTE, i)).isEqualTo((byte)(i + 1));
            }
        }
        finally
        {
            FileIo.close(pipe[0]);
            FileIo.close(pipe[1]);
        }
    }

    @Test
    void shouldWrapAroundTheRingsOverManySubmits()
    {
        final int[] pipe = new int[2];
        assertThat(Pipes.pipe(pipe, FileIo.O_NONBLOCK | FileIo.O_CLOEXEC)).isZero();
        try (IoUring ring = IoUring.open(4); Arena arena = Arena.ofConfined())
        {
            final MemorySegment byteIn = arena.allocate(3);
            final MemorySegment byteOut = arena.allocate(3);
            for (int round = 0; round < 50; round++)
            {
                byteIn.set(JAVA_BYTE, 0, (byte)round);
                byteIn.set(JAVA_BYTE, 1, (byte)(round + 1));
                byteIn.set(JAVA_BYTE, 2, (byte)(round + 2));
                assertThat(FileIo.write(pipe[1], byteIn.address(), 3)).isEqualTo(3);
                for (int i = 0; i < ring.capacity(); i++)
                {
                    assertThat(ring.read(pipe[0], byteOut.address() + Math.min(i, 2), 1, i)).isTrue();
                }
                assertThat(ring.read(pipe[0], byteOut.address(), 1, 9)).as("ring full").isFalse();
                assertThat(ring.submit()).isEqualTo(4);
                assertThat(ring.completions()).isEqualTo(4);
                int read = 0;
                for (int i = 0; i < 4; i++)
                {
                    read += ring.result(i) > 0 ? 1 : 0;
                }
                ring.consume(4);
                assertThat(read).isEqualTo(3);
                assertThat(byteOut.get(JAVA_BYTE, 2)).isEqualTo((byte)(round + 2));
            }
        }
        finally
        {
            FileIo.close(pipe[0]);
            FileIo.close(pipe[1]);
        }
    }
}
