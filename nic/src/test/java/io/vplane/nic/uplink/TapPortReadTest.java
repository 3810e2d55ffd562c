package io.vplane.nic.uplink;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Sockets;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.FrameBurst;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TAP port's receive loop without root: a SOCK_SEQPACKET socket keeps message boundaries as a
 * TAP keeps frames (one read, one message: virtio-net header then frame), and no VM port lends, so
 * frames land in the port's own memory (the copy path). Both ways of reading: one io_uring submit
 * per burst, and one readv per frame.
 */
@Timeout(20)
class TapPortReadTest
{
    private static final int FRAME = 60;
    private static final String CALLS = "vplane_uplink_rx_calls_total{uplink=\"up0\",result=\"%s\"}";

    private final Counters counters = Counters.inMemory(64);
    private final int[] pair = new int[2];
    private final Arena arena = Arena.ofConfined();
    private TapPort port;

    @AfterEach
    void close()
    {
        if (null != port)
        {
            port.close();
        }
        FileIo.close(pair[0]);
        FileIo.close(pair[1]);
        arena.close();
    }

    private TapPort open(final boolean ioUring)
    {
        assertThat(Sockets.socketPair(Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK, pair)).isZero();
        port = new TapPort("up0", new int[] {pair[1]}, new GuestRxLenders().slot("vm0"), "vs0", true, ioUring,
            new UplinkCounters(counters, "up0"), new ErrorLog(counters));
        return port;
    }

    private void send(final int frames, final int firstMark)
    {
        final MemorySegment message = arena.allocate(TapPort.HEADER_SIZE + FRAME);
        for (int i = 0; i < frames; i++)
        {
            message.fill((byte)(firstMark + i));
            assertThat(FileIo.write(pair[0], message.address(), message.byteSize())).isEqualTo(message.byteSize());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldReadEveryQueuedFrameInOrderIntoOneBurstAndCountItsCalls(final boolean ioUring)
    {
        final TapPort tap = open(ioUring);
        assertThat(tap.batched()).isEqualTo(ioUring);
        final FrameBurst burst = new FrameBurst(32);
        send(11, 1);

        assertThat(tap.receive(burst)).isEqualTo(11);

        for (int i = 0; i < 11; i++)
        {
            assertThat(burst.length(i)).isEqualTo(FRAME);
            final MemorySegment frame = MemorySegment.ofAddress(burst.address(i)).reinterpret(FRAME);
            assertThat(frame.get(ValueLayout.JAVA_BYTE, 0)).as("frame %d", i).isEqualTo((byte)(1 + i));
            assertThat(frame.get(ValueLayout.JAVA_BYTE, FRAME - 1)).isEqualTo((byte)(1 + i));
        }
        tap.release(burst);
        assertThat(counters.value("vplane_uplink_frames_total{uplink=\"up0\",dir=\"rx\"}")).isEqualTo(11);
        final long calls = counters.value(CALLS.formatted("frames"));
        // batched: a submit of 4 reads found 4, the next of 8 (the batch doubles while every read
        // finds a frame) found the other 7, and that it found fewer ended the burst; per frame:
        // one readv each, then one that found the queue empty
        assertThat(calls).isEqualTo(ioUring ? 2 : 11);
        assertThat(counters.value(CALLS.formatted("empty"))).isEqualTo(ioUring ? 0 : 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldKeepFramesOfLaterSubmitsApartFromEarlierOnesInOwnMemory(final boolean ioUring)
    {
        final TapPort tap = open(ioUring);
        final FrameBurst burst = new FrameBurst(64);
        send(40, 10);

        assertThat(tap.receive(burst)).isEqualTo(40);

        for (int i = 0; i < 40; i++)
        {
            assertThat(MemorySegment.ofAddress(burst.address(i)).reinterpret(FRAME).get(ValueLayout.JAVA_BYTE, 7))
                .as("frame %d", i).isEqualTo((byte)(10 + i));
        }
        tap.release(burst);
    }

    @Test
    void shouldCostOneSmallSubmitWhenNothingIsQueued()
    {
        final TapPort tap = open(true);
        final FrameBurst burst = new FrameBurst(32);

        assertThat(tap.receive(burst)).isZero();
        tap.release(burst);
        send(2, 1);
        burst.clear();
        assertThat(tap.receive(burst)).isEqualTo(2);
        tap.release(burst);

        assertThat(counters.value(CALLS.formatted("empty"))).isEqualTo(1);
        assertThat(counters.value(CALLS.formatted("frames"))).isEqualTo(1);
        assertThat(counters.value("vplane_uplink_drops_total{uplink=\"up0\",reason=\"read_error\"}")).isZero();
    }
}
