package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vplane.blockstore.backend.RawFileBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MappedReadReplyTest
{
    private static final int MIB = 1 << 20;
    private static final int RUN = 65536;

    @TempDir
    Path dir;

    @Test
    void shouldPutHeadersAndMappedDataInOrderAndReadWhatTheMappingCannotServe() throws Exception
    {
        final Path image = dir.resolve("i.img");
        final byte[] data = new byte[MIB];
        new Random(21).nextBytes(data);
        Files.write(image, data);
        try (RawFileBackend backend = RawFileBackend.open(image, MIB, false))
        {
            // Shrunk underneath: the second range lies past the file's end, so it cannot be mapped.
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
            {
                file.setLength(MIB / 2);
            }
            final MappedReadReply reply = new MappedReadReply(backend);
            reply.begin(PooledByteBufAllocator.DEFAULT, 2 * RUN, 3, 32);
            reply.headers().writeInt(0x11111111);
            reply.data(1000, RUN);
            reply.headers().writeInt(0x22222222).writeShort(0x3333);
            reply.data(600 * 1024, RUN);
            reply.headers().writeInt(0x44444444);
            final ByteBuf out = reply.finish();
            try
            {
                assertThat(out.readableBytes()).isEqualTo(4 + RUN + 6 + RUN + 4);
                assertThat(out.readInt()).isEqualTo(0x11111111);
                assertThat(bytes(out, RUN)).isEqualTo(Arrays.copyOfRange(data, 1000, 1000 + RUN));
                assertThat(out.readInt()).isEqualTo(0x22222222);
                assertThat(out.readShort()).isEqualTo((short)0x3333);
                assertThat(bytes(out, RUN)).isEqualTo(new byte[RUN]); // pread zero-fills past the end
                assertThat(out.readInt()).isEqualTo(0x44444444);
            }
            finally
            {
                out.release();
            }
        }
    }

    private static byte[] bytes(final ByteBuf buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.readBytes(bytes);
        return bytes;
    }
}
