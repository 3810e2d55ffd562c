package io.vplane.virtio.vhostuser;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.engine.linux.FileIo;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;
import java.util.function.Consumer;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz-style: malformed messages each end in a negative ack (when the frontend asked for a reply)
 * or a closed connection, with the protocol-error counter raised, no exception and no fd leaked.
 */
@Timeout(60)
class VhostUserMalformedInputTest
{
    private final Counters counters = Counters.inMemory(256);
    private final ErrorLog errors = new ErrorLog(counters);

    @Test
    void shouldRejectEachMalformedMessageAndCloseItsFds()
    {
        expectRejected("GET_FEATURES with a 40-byte payload", f -> f.message(GET_FEATURES, 40, false));
        expectRejected("SET_FEATURES with 4 bytes", f -> f.message(SET_FEATURES, 4, false));
        expectRejected("SET_FEATURES beyond offered", f -> f.u64(SET_FEATURES, 1L << 40, false));
        expectRejected("SET_PROTOCOL_FEATURES beyond offered", f -> f.u64(SET_PROTOCOL_FEATURES, 1L << 5, false));
        expectRejected("SET_OWNER with a payload", f -> f.u64(SET_OWNER, 0, false));
        expectRejected("mem table of 0 regions", f -> f.memTable(new MemoryRegion[0], false));
        expectRejected("mem table of 9 regions", f -> f.message(SET_MEM_TABLE, 8 + 9 * 32, false).putPayloadInt(0, 9));
        expectRejected("mem table size not matching count", f -> f.message(SET_MEM_TABLE, 8 + 32, false).putPayloadInt(0, 2));
        expectRejected("mem table with fewer fds than regions", f -> f.memTable(new MemoryRegion[] {
            new MemoryRegion(0, 4096, 0, 0), new MemoryRegion(8192, 4096, 8192, 0)}, false));
        expectRejected("overlapping regions", f -> f.memTable(new MemoryRegion[] {
            new MemoryRegion(0, 8192, 0, 0), new MemoryRegion(4096, 8192, 65536, 0)}, false), 2);
        expectRejected("wrapping region", f -> f.memTable(new MemoryRegion[] {new MemoryRegion(-4096, 8192, 0, 0)}, false), 1);
        expectRejected("zero-size region", f -> f.memTable(new MemoryRegion[] {new MemoryRegion(0, 0, 0, 0)}, false), 1);
        expectRejected("region past the end of its file", f -> f.memTable(new MemoryRegion[] {
            new MemoryRegion(0, TestFrontend.RAM_BYTES, 0, 1L << 40)}, false), 1);
        expectRejected("vring index past the device", f -> f.vringState(SET_VRING_NUM, 2, 256, false));
        expectRejected("negative vring index", f -> f.vringState(SET_VRING_BASE, -1, 0, false));
        expectRejected("vring size not a power of two", f -> f.vringState(SET_VRING_NUM, 0, 100, false));
        expectRejected("vring size too large", f -> f.vringState(SET_VRING_NUM, 0, 65536, false));
        expectRejected("vring base past u16", f -> f.vringState(SET_VRING_BASE, 0, 70000, false));
        expectRejected("vring addr short", f -> f.message(SET_VRING_ADDR, 24, false));
        expectRejected("vring addr index past the device", f -> f.vringAddr(7, 0, 0, 0, false));
        expectRejected("kick without its fd", f -> f.u64(SET_VRING_KICK, 0, false));
        expectRejected("kick with no-fd flag and an fd", f -> f.u64(SET_VRING_KICK, 0x100, false), 1);
        expectRejected("call with 2 fds", f -> f.u64(SET_VRING_CALL, 0, false), 2);
        expectRejected("call with stray high bits", f -> f.u64(SET_VRING_CALL, 1L << 20, false), 1);
        expectRejected("call for vring 9", f -> f.u64(SET_VRING_CALL, 9, false), 1);
        expectRejected("GET_CONFIG past 256 bytes", f -> f.message(GET_CONFIG, 12, false).putPayloadInt(4, 300));
        expectRejected("GET_CONFIG size mismatch", f -> f.message(GET_CONFIG, 20, false).putPayloadInt(4, 4));
        expectRejected("SET_CONFIG unsupported", f -> f.message(SET_CONFIG, 12, false));
        expectRejected("SET_STATUS past u8", f -> f.u64(SET_STATUS, 0x100, false));
        expectRejected("SET_LOG_FD unsupported with its fd", f -> f.message(SET_LOG_FD, 0, false), 1);
        expectRejected("request 99", f -> f.message(99, 0, false));
        expectRejected("version 2", f -> f.out.header(GET_FEATURES, 2, 0));
        expectRejected("reply bit from a frontend", f -> f.out.header(GET_FEATURES, VERSION | FLAG_REPLY, 0));
    }

    @Test
    void shouldStartNoRingWhoseAddressesLieOutsideGuestMemory()
    {
        try (TestFrontend f = new TestFrontend())
        {
            final FakeDevice device = new FakeDevice(2);
            final AtomicCounter protocolErrors = counters.counter("vplane_fuzz_ring_total");
            final VhostUserSession session = new VhostUserSession("fuzz", device, errors, protocolErrors);
            f.startUp(session, FakeDevice.FEATURES, 2, 256);
            assertThat(device.running).doesNotContainNull();
            // re-place ring 1 outside RAM, with a reply asked: nack, ring stays stopped
            f.vringAddr(1, TestFrontend.UADDR + TestFrontend.RAM_BYTES, TestFrontend.UADDR, TestFrontend.UADDR + 0x1000, true);
            assertThat(f.exchange(session)).isEqualTo(VhostUserSession.Outcome.CONTINUE);
            f.expectAck(1);
            assertThat(device.running[1]).isNull();
            assertThat(device.running[0]).isNotNull();
            assertThat(protocolErrors.get()).isEqualTo(1);
            // guest-physical instead of frontend-virtual address (the two differ here), no reply asked: close
            f.vringAddr(0, TestFrontend.GPA, TestFrontend.GPA + 0x2000, TestFrontend.GPA + 0x1000, false);
            assertThat(f.exchange(session)).isEqualTo(VhostUserSession.Outcome.CLOSE);
            session.close();
        }
    }

    @Test
    void shouldCloseEveryFdOfAMessageWithTooManyFds()
    {
        try (TestFrontend f = new TestFrontend())
        {
            final long before = TestFrontend.openFds();
            final int[] fds = new int[12];
            java.util.Arrays.fill(fds, f.ramFd);
            f.u64(SET_VRING_CALL, 0, false);
            f.send(fds);
            assertThat(f.backend.receive(f.in)).isEqualTo(VhostUserConnection.Received.TOO_MANY_FDS);
            assertThat(TestFrontend.openFds()).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseAnOversizedPayloadAndATruncatedMessage()
    {
        try (TestFrontend f = new TestFrontend())
        {
            sendRaw(f, SET_MEM_TABLE, MAX_PAYLOAD_SIZE + 1, 0);
            assertThat(f.backend.receive(f.in)).isEqualTo(VhostUserConnection.Received.OVERSIZED);
        }
        try (TestFrontend f = new TestFrontend())
        {
            // a header announcing 40 bytes, then the frontend vanishes after 8 of them
            sendRaw(f, SET_VRING_ADDR, 40, 8);
            f.frontend.close();
            assertThat(f.backend.receive(f.in)).isEqualTo(VhostUserConnection.Received.TRUNCATED);
        }
        try (TestFrontend f = new TestFrontend())
        {
            // half a header, then gone
            f.out.header(GET_FEATURES, VERSION, 0);
            FileIo.write(f.frontend.fd(), f.out.buffer(), 6);
            f.frontend.close();
            assertThat(f.backend.receive(f.in)).isEqualTo(VhostUserConnection.Received.TRUNCATED);
        }
    }

    @Test
    void shouldSurviveRandomMessagesWithoutThrowingOrLeakingFds()
    {
        final Random random = new Random(42);
        final long before = TestFrontend.openFds();
        final AtomicCounter protocolErrors = counters.counter("vplane_fuzz_random_total");
        int closes = 0;
        for (int round = 0; round < 300; round++)
        {
            try (TestFrontend f = new TestFrontend())
            {
                final FakeDevice device = new FakeDevice(2);
                final VhostUserSession session = new VhostUserSession("fuzz", device, errors, protocolErrors);
                if (random.nextBoolean())
                {
                    f.startUp(session, FakeDevice.FEATURES, 2, 256);
                }
                for (int i = 0; i < 20; i++)
                {
                    final int request = random.nextInt(45);
                    final int size = random.nextInt(4) == 0 ? random.nextInt(300) : new int[] {0, 8, 40, 40}[random.nextInt(4)];
                    f.message(request, size, random.nextBoolean());
                    for (int b = 0; b < size; b++)
                    {
                        f.out.putPayloadByte(b, (byte)(random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(3)));
                    }
                    final int fdCount = random.nextInt(5) == 0 ? random.nextInt(3) : 0;
                    final int[] fds = new int[fdCount];
                    java.util.Arrays.fill(fds, f.ramFd);
                    f.send(fds);
                    final VhostUserSession.Outcome outcome = f.deliver(session);
                    while (f.hasReply())
                    {
                        f.readReply();
                    }
                    if (outcome == VhostUserSession.Outcome.CLOSE)
                    {
                        closes++;
                        break;
                    }
                }
                session.close();
            }
        }
        assertThat(TestFrontend.openFds()).isEqualTo(before);
        assertThat(closes).isPositive();
        assertThat(protocolErrors.get()).isPositive();
    }

    /** Writes a header announcing {@code announcedSize} bytes and only {@code sentPayload} of them. */
    private static void sendRaw(final TestFrontend f, final int request, final int announcedSize, final int sentPayload)
    {
        f.out.header(request, VERSION, announcedSize);
        assertThat(FileIo.write(f.frontend.fd(), f.out.buffer(), HEADER_SIZE + sentPayload)).isEqualTo(HEADER_SIZE + sentPayload);
    }

    private void expectRejected(final String what, final Consumer<TestFrontend> build)
    {
        expectRejected(what, build, 0);
    }

    /** Sends the message once without and once with need_reply. */
    private void expectRejected(final String what, final Consumer<TestFrontend> build, final int fdCount)
    {
        for (final boolean needReply : new boolean[] {false, true})
        {
            try (TestFrontend f = new TestFrontend())
            {
                final AtomicCounter protocolErrors = counters.counter("vplane_fuzz_total", "case", Integer.toString(what.hashCode()));
                final VhostUserSession session = new VhostUserSession("fuzz", new FakeDevice(2), errors, protocolErrors);
                final long before = TestFrontend.openFds();
                build.accept(f);
                if (needReply && (f.out.flags() & VERSION_MASK) == VERSION && (f.out.flags() & FLAG_REPLY) == 0)
                {
                    f.out.header(f.out.request(), f.out.flags() | FLAG_NEED_REPLY, f.out.size());
                }
                final int[] fds = new int[fdCount];
                java.util.Arrays.fill(fds, f.ramFd);
                final VhostUserSession.Outcome outcome = f.exchange(session, fds);
                assertThat(protocolErrors.get()).as(what).isEqualTo(1);
                assertThat(TestFrontend.openFds()).as(what + ": fds closed").isEqualTo(before);
                if (outcome == VhostUserSession.Outcome.CONTINUE)
                {
                    assertThat(needReply).as(what + ": kept open only to answer").isTrue();
                    f.expectAck(1);
                }
                assertThat(session.isMemoryMapped()).as(what).isFalse();
                session.close();
                protocolErrors.close();
            }
        }
    }
}
