package io.vplane.vsock.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordFileTest
{
    @TempDir
    Path dir;

    private static ByteBuffer record(final long value)
    {
        return ByteBuffer.allocate(8).putLong(value).flip();
    }

    private List<Long> replay(final Path file) throws Exception
    {
        final List<Long> values = new ArrayList<>();
        try (RecordFile ignored = RecordFile.open(file, payload -> values.add(payload.getLong())))
        {
            return values;
        }
    }

    @Test
    void shouldCutATornOrCorruptTailAndKeepEveryWholeRecord() throws Exception
    {
        final Path file = dir.resolve("journal");
        try (RecordFile records = RecordFile.open(file, payload -> { }))
        {
            records.append(record(1));
            records.append(record(2), false);
            records.append(record(3));
        }
        final long whole = Files.size(file);
        // a crash in the middle of the fourth append: its header and half its payload
        Files.write(file, new byte[] {0, 0, 0, 8, 1, 2, 3, 4, 9, 9}, StandardOpenOption.APPEND);
        assertThat(replay(file)).containsExactly(1L, 2L, 3L);
        assertThat(Files.size(file)).as("the torn tail is cut").isEqualTo(whole);

        // a flipped byte in the last record's payload: its checksum fails, it and what follows are cut
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(file, bytes);
        assertThat(replay(file)).containsExactly(1L, 2L);
        try (RecordFile records = RecordFile.open(file, payload -> { }))
        {
            records.append(record(4));
        }
        assertThat(replay(file)).containsExactly(1L, 2L, 4L);
    }

    @Test
    void shouldRoundTripEveryFrameType()
    {
        final byte[] nonce = new byte[ControlFrame.NONCE];
        nonce[5] = 7;
        for (final ControlFrame frame : List.of(ControlFrame.challenge(nonce), ControlFrame.auth(nonce),
            ControlFrame.command(9, ControlFrame.OP_STORAGE, 1L << 40, "vm-ä", "db"), ControlFrame.ack(9),
            ControlFrame.result(9, ControlFrame.STATUS_FAILED, "no space"), ControlFrame.error(3, ControlFrame.ERROR_TYPE, "x")))
        {
            final ByteBuffer bytes = frame.encode();
            assertThat(bytes.getInt(0)).isEqualTo(bytes.remaining() - 4);
            final ControlFrame decoded = ControlFrame.decode(bytes.position(4).slice());
            assertThat(decoded).usingRecursiveComparison().isEqualTo(frame);
        }
    }
}
