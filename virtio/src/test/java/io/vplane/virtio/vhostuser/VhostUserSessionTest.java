package io.vplane.virtio.vhostuser;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.vplane.virtio.vhostuser.VhostUserMessage.*;
import static io.vplane.virtio.vhostuser.VhostUserRequest.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class VhostUserSessionTest
{
    private final Counters counters = Counters.inMemory(256);
    private final AtomicCounter protocolErrors = counters.counter("vplane_test_protocol_errors_total");
    private final FakeDevice device = new FakeDevice(2);
    private final VhostUserSession session = new VhostUserSession("test", device, new ErrorLog(counters), protocolErrors);
    private final TestFrontend frontend = new TestFrontend();

    @AfterEach
    void close()
    {
        session.close();
        frontend.close();
    }

    @Test
    void shouldOfferVersion1AndProtocolFeaturesWithReplyFlagsExactly0x5()
    {
        frontend.message(GET_FEATURES, 0, false);
        assertThat(frontend.exchange(session)).isEqualTo(VhostUserSession.Outcome.CONTINUE);
        final VhostUserMessage reply = frontend.readReply();
        assertThat(reply.request()).isEqualTo(GET_FEATURES);
        assertThat(reply.flags()).isEqualTo(0x5);
        assertThat(reply.size()).isEqualTo(8);
        assertThat(reply.payloadLong(0)).isEqualTo(FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES);
        assertThat(reply.payloadLong(0) & 1L << 32).isNotZero();
    }

    @Test
    void shouldStartRingsInVirtioUserOrderOnlyAfterDriverOk()
    {
        frontend.startUp(session, FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES, 2, 256);
        assertThat(device.running).doesNotContainNull();
        assertThat(device.acked).isEqualTo(FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES);
        assertThat(device.running[0].size()).isEqualTo(256);
        assertThat(protocolErrors.get()).isZero();
    }

    @Test
    void shouldNotStartRingBeforeDriverOkWhenStatusIsNegotiated()
    {
        frontend.startUp(session, FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES, 2, 256);
        frontend.u64(SET_STATUS, 0, true);
        frontend.exchange(session);
        frontend.expectAck(0);
        assertThat(device.running).containsOnlyNulls();
    }

    @Test
    void shouldReportLastAvailIndexAndStopRingOnGetVringBase()
    {
        frontend.startUp(session, FakeDevice.FEATURES | 1L << F_PROTOCOL_FEATURES, 2, 256);
        // the data path took 5 heads
        frontend.ramBytes.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0x4000 + TestFrontend.AVAIL + 2, (short)5);
        for (int i = 0; i < 5; i++)
        {
            device.running[1].takeHead();
        }
        frontend.vringState(GET_VRING_BASE, 1, 0, false);
        frontend.exchange(session);
        final VhostUserMessage reply = frontend.readReply();
        assertThat(reply.flags()).isEqualTo(0x5);
        assertThat(reply.payloadInt(VRING_STATE_INDEX_OFFSET)).isEqualTo(1);
        assertThat(reply.payloadInt(VRING_STATE_NUM_OFFSET)).isEqualTo(5);
        assertThat(device.running[1]).isNull();
    }

    @Test
    void shouldAnswerGetConfigWithTheMac()
    {
        frontend.message(GET_CONFIG, CONFIG_DATA_OFFSET + 6, false).putPayloadInt(CONFIG_OFFSET_OFFSET, 0)
            .putPayloadInt(CONFIG_SIZE_OFFSET, 6).putPayloadInt(CONFIG_FLAGS_OFFSET, 0);
        frontend.exchange(session);
        final VhostUserMessage reply = frontend.readReply();
        assertThat(reply.flags()).isEqualTo(0x5);
        assertThat(reply.size()).isEqualTo(CONFIG_DATA_OFFSET + 6);
        assertThat(reply.payloadByte(CONFIG_DATA_OFFSET)).isEqualTo((byte)0x52);
        assertThat(reply.payloadByte(CONFIG_DATA_OFFSET + 5)).isEqualTo((byte)0x56);
    }

    @Test
    void shouldReplyQueuePairsToGetQueueNum()
    {
        frontend.message(GET_QUEUE_NUM, 0, false);
        frontend.exchange(session);
        assertThat(frontend.readReply().payloadLong(0)).isEqualTo(1);
    }

    @Test
    void shouldNackOverlappingRegionsAndCloseTheirFdsWhenReplyAckAsked()
    {
        final long before = TestFrontend.openFds();
        frontend.memTable(new MemoryRegion[] {
            new MemoryRegion(0, 0x10000, 0x10000, 0),
            new MemoryRegion(0x8000, 0x10000, 0x40000, 0)}, true);
        assertThat(frontend.exchange(session, frontend.ramFd, frontend.ramFd)).isEqualTo(VhostUserSession.Outcome.CONTINUE);
        frontend.expectAck(1);
        assertThat(session.isMemoryMapped()).isFalse();
        assertThat(protocolErrors.get()).isEqualTo(1);
        assertThat(TestFrontend.openFds()).isEqualTo(before);
    }

    @Test
    void shouldCloseConnectionOnUnsupportedRequestWithoutNeedReply()
    {
        frontend.u64(SET_LOG_BASE, 0, false);
        final long before = TestFrontend.openFds();
        assertThat(frontend.exchange(session, frontend.ramFd)).isEqualTo(VhostUserSession.Outcome.CLOSE);
        assertThat(TestFrontend.openFds()).isEqualTo(before);
        assertThat(protocolErrors.get()).isEqualTo(1);
    }

    @Test
    void shouldNackUnsupportedRequestWhenReplyAsked()
    {
        frontend.u64(SET_VRING_ENDIAN, 0, true);
        assertThat(frontend.exchange(session)).isEqualTo(VhostUserSession.Outcome.CONTINUE);
        frontend.expectAck(1);
    }

    @Test
    void shouldReplaceAndCloseTheOldCallFd()
    {
        final int first = EventFd.create(0, EventFd.EFD_CLOEXEC);
        final int second = EventFd.create(0, EventFd.EFD_CLOEXEC);
        try
        {
            final long before = TestFrontend.openFds();
            frontend.u64(SET_VRING_CALL, 0, true);
            frontend.exchange(session, first);
            frontend.expectAck(0);
            assertThat(TestFrontend.openFds()).isEqualTo(before + 1);
            frontend.u64(SET_VRING_CALL, 0, true);
            frontend.exchange(session, second);
            frontend.expectAck(0);
            assertThat(TestFrontend.openFds()).isEqualTo(before + 1);
            session.close();
            assertThat(TestFrontend.openFds()).isEqualTo(before);
        }
        finally
        {
            FileIo.close(first);
            FileIo.close(second);
        }
    }
}
