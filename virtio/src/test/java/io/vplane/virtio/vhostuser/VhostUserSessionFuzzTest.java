package io.vplane.virtio.vhostuser;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EventFd;
import io.vplane.virtio.virtq.SplitRing;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Arrays;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.F_PROTOCOL_FEATURES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile frontend's messages, with memory or eventfds attached, through a real socket into a
 * session: each is handled without an exception; one the session refuses is counted and answered
 * with a negative ack (need_reply) or ends the connection; every reply is a well-formed reply to
 * the message; what the session accepted stays in range (features offered, u8 status, rings of a
 * power-of-two size on mapped memory); closing the session leaves no fd open.
 * <pre>
 *   input: 0 bit 0: start up as DPDK does first (2 rings of 256)
 *          then records of  0 fds: bits 0-1 count, bit 2 eventfd (else the guest memfd)
 *                           1..12 header (request, flags, size; LE) | payload (size, cut to what is left)
 * </pre>
 * One frontend (socket pair and guest memfd) serves every input; each input gets a new session.
 */
class VhostUserSessionFuzzTest
{
    private static final int RECORD_HEADER_BYTES = 1 + HEADER_SIZE;
    private static final TestFrontend FRONTEND = new TestFrontend();
    private static final int EVENT_FD = EventFd.create(0, 0);
    private static final Counters COUNTERS = Counters.inMemory(64);
    private static final ErrorLog ERRORS = new ErrorLog(COUNTERS);
    private static final AtomicCounter PROTOCOL_ERRORS = COUNTERS.counter("vplane_fuzz_vhost_user_errors_total");

    @FuzzTest(maxDuration = "30s")
    void shouldAnswerOrCloseOnEveryMessageAndKeepItsStateInRange(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final long fdsBefore = TestFrontend.openFds();
        final FakeDevice device = new FakeDevice(2);
        final VhostUserSession session = new VhostUserSession("fuzz", device, ERRORS, PROTOCOL_ERRORS);
        if ((input[0] & 1) != 0)
        {
            FRONTEND.startUp(session, FakeDevice.FEATURES, 2, 256);
        }
        int at = 1;
        while (at + RECORD_HEADER_BYTES <= input.length)
        {
            final int payloadBytes = Math.min(Math.min(payloadSize(input, at), MAX_PAYLOAD_SIZE), input.length - at - RECORD_HEADER_BYTES);
            if (exchange(session, device, input, at, payloadBytes) == VhostUserSession.Outcome.CLOSE)
            {
                break;
            }
            at += RECORD_HEADER_BYTES + payloadBytes;
        }
        session.close();
        assertThat(device.running).containsOnlyNulls();
        assertThat(session.isMemoryMapped()).isFalse();
        assertThat(TestFrontend.openFds()).as("fds left open").isEqualTo(fdsBefore);
    }

    private static int payloadSize(final byte[] input, final int at)
    {
        return readInt(input, at + 1 + SIZE_OFFSET) & Integer.MAX_VALUE;
    }

    private static VhostUserSession.Outcome exchange(
        final VhostUserSession session, final FakeDevice device, final byte[] input, final int at, final int payloadBytes)
    {
        final int request = readInt(input, at + 1 + REQUEST_OFFSET);
        final int flags = readInt(input, at + 1 + FLAGS_OFFSET);
        FRONTEND.out.header(request, flags, payloadBytes);
        for (int i = 0; i < payloadBytes; i++)
        {
            FRONTEND.out.putPayloadByte(i, input[at + RECORD_HEADER_BYTES + i]);
        }
        final int[] fds = new int[input[at] & 0x3];
        Arrays.fill(fds, (input[at] & 0x4) != 0 ? EVENT_FD : FRONTEND.ramFd);

        final long errorsBefore = PROTOCOL_ERRORS.get();
        final VhostUserSession.Outcome outcome = FRONTEND.exchange(session, fds);
        final boolean needReply = (flags & FLAG_NEED_REPLY) != 0;
        int replies = 0;
        long lastAck = -1;
        while (FRONTEND.hasReply())
        {
            final VhostUserMessage reply = FRONTEND.readReply();
            assertThat(reply.flags()).as("reply flags").isEqualTo(VERSION | FLAG_REPLY);
            assertThat(reply.request()).as("reply to").isEqualTo(request);
            assertThat(reply.size()).isBetween(0, MAX_PAYLOAD_SIZE);
            lastAck = reply.size() == U64_SIZE ? reply.payloadLong(0) : -1;
            replies++;
        }
        if (PROTOCOL_ERRORS.get() != errorsBefore)
        {
            assertThat(outcome == VhostUserSession.Outcome.CLOSE || needReply && lastAck == 1)
                .as("a refused request %d is closed or answered with a negative ack", request).isTrue();
        }
        else if (needReply && outcome == VhostUserSession.Outcome.CONTINUE)
        {
            assertThat(replies).as("replies to request %d asking for one", request).isPositive();
        }
        assertStateInRange(session, device);
        return outcome;
    }

    private static void assertStateInRange(final VhostUserSession session, final FakeDevice device)
    {
        assertThat(session.ackedFeatures() & ~(FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES)).isZero();
        assertThat(session.status()).isBetween(0, 0xFF);
        for (final SplitVirtQueue queue : device.running)
        {
            if (null != queue)
            {
                assertThat(session.isMemoryMapped()).isTrue();
                assertThat(queue.size()).isBetween(1, SplitRing.MAX_SIZE);
                assertThat(Integer.bitCount(queue.size())).isEqualTo(1);
                assertThat(queue.lastAvailIndex()).isBetween(0, 0xFFFF);
            }
        }
    }

    private static int readInt(final byte[] input, final int at)
    {
        return (input[at] & 0xFF) | (input[at + 1] & 0xFF) << 8 | (input[at + 2] & 0xFF) << 16 | (input[at + 3] & 0xFF) << 24;
    }
}
