package io.vplane.vsock.device;

import io.vplane.vsock.config.VsockSection;
import io.vplane.vsock.packet.VsockHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vplane.vsock.packet.VsockHeader.*;
import static org.assertj.core.api.Assertions.assertThat;

class VsockDeviceTest
{
    private static final int GUEST_PORT = 40_000;
    private static final int BUF = 256 * 1024;

    @TempDir
    Path dir;

    private VsockGuest guest;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
        if (null != guest)
        {
            guest.close();
        }
    }

    private VsockGuest guest(final int rings, final int bufAlloc)
    {
        guest = new VsockGuest(dir, rings, bufAlloc);
        guest.postRxBuffers(VsockGuest.RX_SLOTS);
        return guest;
    }

    private ServerSocketChannel listenOn(final int port) throws IOException
    {
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(guest.uds + "_" + port));
        closeables.add(server);
        return server;
    }

    private SocketChannel connectHost() throws IOException
    {
        final SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(guest.uds));
        closeables.add(channel);
        return channel;
    }

    private static void write(final SocketChannel channel, final String text) throws IOException
    {
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String read(final SocketChannel channel, final int bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(bytes);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    /** End of stream, or a reset when the peer closed with bytes unread. */
    private static boolean closedByPeer(final SocketChannel channel) throws IOException
    {
        try
        {
            return channel.read(ByteBuffer.allocate(64)) == -1;
        }
        catch (final java.net.SocketException reset)
        {
            return true;
        }
    }

    private List<VsockGuest.Packet> receiveUntil(final int count)
    {
        final List<VsockGuest.Packet> packets = new ArrayList<>();
        guest.pollUntil(() ->
        {
            packets.addAll(guest.receive());
            return packets.size() >= count;
        }, count + " packets reach the guest");
        return packets;
    }

    private SocketChannel guestConnects(final int port, final ServerSocketChannel server) throws IOException
    {
        guest.send(OP_REQUEST, GUEST_PORT, port, 0, BUF, 0, new byte[0], false);
        final VsockGuest.Packet response = receiveUntil(1).getFirst();
        assertThat(response.op()).isEqualTo(OP_RESPONSE);
        assertThat(response.srcCid()).isEqualTo(HOST_CID);
        assertThat(response.dstCid()).isEqualTo(VsockGuest.CID);
        assertThat(response.srcPort()).isEqualTo(port);
        assertThat(response.dstPort()).isEqualTo(GUEST_PORT);
        final SocketChannel accepted = server.accept();
        closeables.add(accepted);
        return accepted;
    }

    @Test
    void shouldReportTheGuestCidInTheConfigSpace()
    {
        guest(2, BUF);
        assertThat(ByteBuffer.wrap(guest.device.configSpace()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
            .isEqualTo(VsockGuest.CID);
    }

    @Test
    void shouldConnectTheGuestToTheHostProgramListeningOnItsPortAndCarryBytesBothWays() throws IOException
    {
        guest(2, BUF);
        final ServerSocketChannel server = listenOn(5000);
        final SocketChannel host = guestConnects(5000, server);

        guest.send(OP_RW, GUEST_PORT, 5000, 0, BUF, 0, "hello host".getBytes(StandardCharsets.US_ASCII), true);
        guest.pollUntil(() -> guest.counters().fromGuestBytes.get() == 10, "the guest's bytes are taken");
        assertThat(read(host, 10)).isEqualTo("hello host");

        write(host, "hello guest");
        final VsockGuest.Packet data = receiveUntil(1).getFirst();
        assertThat(data.op()).isEqualTo(OP_RW);
        assertThat(data.text()).isEqualTo("hello guest");
        assertThat(data.bufAlloc()).isEqualTo(BUF);
        assertThat(data.fwdCnt()).as("bytes handed to the host socket").isEqualTo(10);
        assertThat(guest.device.streams()).isEqualTo(1);
    }

    @Test
    void shouldConnectAHostProgramAfterItsConnectLineAndKeepTheBytesThatFollowIt() throws IOException
    {
        guest(2, BUF);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 1234\nearly bytes");
        final VsockGuest.Packet request = receiveUntil(1).getFirst();
        assertThat(request.op()).isEqualTo(OP_REQUEST);
        assertThat(request.dstPort()).isEqualTo(1234);
        assertThat(request.srcPort()).isEqualTo(1 << 30);

        guest.send(OP_RESPONSE, 1234, request.srcPort(), 0, BUF, 0, new byte[0], false);
        guest.poll();
        assertThat(read(host, 14)).isEqualTo("OK 1073741824\n");
        final VsockGuest.Packet data = receiveUntil(1).getFirst();
        assertThat(data.op()).isEqualTo(OP_RW);
        assertThat(data.text()).isEqualTo("early bytes");
    }

    @Test
    void shouldCloseAHostProgramWhoseFirstLineIsNotAConnect() throws IOException
    {
        guest(2, BUF);
        final SocketChannel host = connectHost();
        write(host, "GET / HTTP/1.1\n");
        guest.pollUntil(() -> guest.counters().badHandshakes.get() == 1, "the handshake is refused");
        assertThat(closedByPeer(host)).isTrue();
        assertThat(guest.receive()).isEmpty();
    }

    @Test
    void shouldRefuseAHostConnectWhileNoGuestDriverIsUp() throws IOException
    {
        guest = new VsockGuest(dir, 0, BUF);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 1234\n");
        guest.pollUntil(() -> guest.counters().refused.get() == 1, "the connect is refused");
        assertThat(closedByPeer(host)).isTrue();
        assertThat(guest.device.streams()).isZero();
    }

    @Test
    void shouldResetAHostProgramTheGuestRefuses() throws IOException
    {
        guest(2, BUF);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 9\n");
        final VsockGuest.Packet request = receiveUntil(1).getFirst();
        guest.send(OP_RST, 9, request.srcPort(), 0, BUF, 0, new byte[0], false);
        guest.pollUntil(() -> guest.device.streams() == 0, "the stream is gone");
        assertThat(host.read(ByteBuffer.allocate(8))).as("closed without OK").isEqualTo(-1);
    }

    @Test
    void shouldCloseTheHostProgramAndResetTheGuestWhenARequestIsNeverAnswered() throws IOException
    {
        guest = new VsockGuest(dir, 2, BUF, 100, VsockSection.HANDSHAKE_TIMEOUT_MS);
        guest.postRxBuffers(VsockGuest.RX_SLOTS);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 1234\n");
        final VsockGuest.Packet request = receiveUntil(1).getFirst();
        assertThat(request.op()).isEqualTo(OP_REQUEST);

        final VsockGuest.Packet rst = receiveUntil(1).getFirst();
        assertThat(rst.op()).isEqualTo(OP_RST);
        assertThat(rst.srcPort()).isEqualTo(request.srcPort());
        assertThat(rst.dstPort()).isEqualTo(1234);
        assertThat(guest.counters().requestTimeouts.get()).isEqualTo(1);
        assertThat(guest.counters().resets.get()).isEqualTo(1);
        assertThat(guest.device.streams()).isZero();
        assertThat(host.read(ByteBuffer.allocate(8))).as("closed without OK, as Firecracker does").isEqualTo(-1);

        // a RESPONSE that comes too late finds no stream
        guest.send(OP_RESPONSE, 1234, request.srcPort(), 0, BUF, 0, new byte[0], false);
        assertThat(receiveUntil(1).getFirst().op()).isEqualTo(OP_RST);
    }

    @Test
    void shouldWakeAWorkerSleepingInTheDeviceWhenARequestTimesOut() throws IOException
    {
        guest = new VsockGuest(dir, 2, BUF, 200, VsockSection.HANDSHAKE_TIMEOUT_MS);
        guest.postRxBuffers(VsockGuest.RX_SLOTS);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 1234\n");
        assertThat(receiveUntil(1).getFirst().op()).isEqualTo(OP_REQUEST);
        guest.poll();
        final var wakeup = guest.device.queues().getFirst().wakeup();
        try (var sleeper = io.vplane.engine.wakeup.EpollSet.plain(1))
        {
            assertThat(wakeup.arm()).as("nothing to do before the deadline").isTrue();
            sleeper.add(wakeup.eventFd());
            assertThat(sleeper.await(5_000)).as("the deadline wakes the sleeper").isEqualTo(1);
            wakeup.disarm();
        }
        guest.pollUntil(() -> guest.counters().requestTimeouts.get() == 1, "the request times out");
        assertThat(host.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }

    @Test
    void shouldKeepAStreamTheGuestAcceptedPastTheRequestTimeout() throws IOException, InterruptedException
    {
        guest = new VsockGuest(dir, 2, BUF, 1_000, VsockSection.HANDSHAKE_TIMEOUT_MS);
        guest.postRxBuffers(VsockGuest.RX_SLOTS);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 1234\n");
        final VsockGuest.Packet request = receiveUntil(1).getFirst();
        guest.send(OP_RESPONSE, 1234, request.srcPort(), 0, BUF, 0, new byte[0], false);
        guest.poll();
        assertThat(read(host, 14)).isEqualTo("OK 1073741824\n");
        Thread.sleep(1_200);
        guest.poll();
        write(host, "still here");
        assertThat(receiveUntil(1).getFirst().text()).isEqualTo("still here");
        assertThat(guest.counters().requestTimeouts.get()).isZero();
        assertThat(guest.device.streams()).isEqualTo(1);
    }

    @Test
    void shouldCloseAHostProgramThatNeverFinishesItsConnectLine() throws IOException
    {
        guest = new VsockGuest(dir, 2, BUF, VsockSection.CONNECT_TIMEOUT_MS, 100);
        guest.postRxBuffers(VsockGuest.RX_SLOTS);
        final SocketChannel host = connectHost();
        write(host, "CONNECT 12");
        guest.pollUntil(() -> guest.counters().handshakeTimeouts.get() == 1, "the handshake times out");
        assertThat(closedByPeer(host)).isTrue();
        assertThat(guest.receive()).as("the guest never heard of it").isEmpty();
        assertThat(guest.counters().badHandshakes.get()).isZero();
    }

    @Test
    void shouldResetAGuestConnectToAPortNobodyListensOn()
    {
        guest(2, BUF);
        guest.send(OP_REQUEST, GUEST_PORT, 6000, 0, BUF, 0, new byte[0], false);
        final VsockGuest.Packet rst = receiveUntil(1).getFirst();
        assertThat(rst.op()).isEqualTo(OP_RST);
        assertThat(rst.srcPort()).isEqualTo(6000);
        assertThat(rst.dstPort()).isEqualTo(GUEST_PORT);
        assertThat(guest.counters().refused.get()).isEqualTo(1);
    }

    @Test
    void shouldAnswerAPacketForNoStreamWithRst()
    {
        guest(2, BUF);
        guest.send(OP_RW, GUEST_PORT, 7000, 0, BUF, 0, "stale".getBytes(StandardCharsets.US_ASCII), false);
        final VsockGuest.Packet rst = receiveUntil(1).getFirst();
        assertThat(rst.op()).isEqualTo(OP_RST);
        assertThat(guest.counters().resets.get()).isEqualTo(1);
    }

    @Test
    void shouldResetAStreamWhoseGuestSendsBeyondItsCredit() throws IOException
    {
        guest(2, 64 * 1024);
        final ServerSocketChannel server = listenOn(5001);
        final SocketChannel host = guestConnects(5001, server);
        // the host program reads nothing: its socket fills, then the stream's 64 KiB, then one packet too many
        int sent = 0;
        while (guest.counters().badPackets.get() == 0 && sent < 64)
        {
            guest.sendBig(GUEST_PORT, 5001, 32 * 1024, (byte)'x');
            guest.poll();
            sent++;
        }
        assertThat(guest.counters().badPackets.get()).as("credit violations").isEqualTo(1);
        final List<VsockGuest.Packet> packets = guest.receive();
        assertThat(packets).extracting(VsockGuest.Packet::op).contains(OP_RST);
        assertThat(guest.device.streams()).isZero();
        assertThat(host.isOpen()).isTrue();
    }

    @Test
    void shouldSendCreditUpdatesSoTheGuestNeverStallsOnAReadingHost() throws IOException
    {
        guest(2, 64 * 1024);
        final ServerSocketChannel server = listenOn(5002);
        final SocketChannel host = guestConnects(5002, server);
        final int packets = 16;
        final List<VsockGuest.Packet> updates = new ArrayList<>();
        for (int i = 0; i < packets; i++)
        {
            guest.sendBig(GUEST_PORT, 5002, 16 * 1024, (byte)('a' + i));
            guest.poll();
            assertThat(read(host, 16 * 1024)).isEqualTo(String.valueOf((char)('a' + i)).repeat(16 * 1024));
            guest.poll();
            updates.addAll(guest.receive());
        }
        assertThat(guest.counters().badPackets.get()).isZero();
        assertThat(updates).extracting(VsockGuest.Packet::op).containsOnly(OP_CREDIT_UPDATE);
        assertThat(updates.getLast().fwdCnt()).isGreaterThanOrEqualTo((packets - 2) * 16 * 1024);
    }

    @Test
    void shouldStopReadingTheHostWhenTheGuestHasNoCreditAndAskForIt() throws IOException
    {
        guest(2, BUF);
        final ServerSocketChannel server = listenOn(5003);
        guest.send(OP_REQUEST, GUEST_PORT, 5003, 0, 4096, 0, new byte[0], false);
        receiveUntil(1);
        final SocketChannel host = server.accept();
        closeables.add(host);
        write(host, "x".repeat(10_000));
        final List<VsockGuest.Packet> packets = receiveUntil(2);
        guest.poll();
        packets.addAll(guest.receive());
        final int delivered = packets.stream().filter(p -> p.op() == OP_RW).mapToInt(p -> p.payload().length).sum();
        assertThat(delivered).as("bytes within the guest's 4096 of credit").isEqualTo(4096);
        assertThat(packets).extracting(VsockGuest.Packet::op).contains(OP_CREDIT_REQUEST);
        assertThat(guest.counters().creditStalls.get()).isEqualTo(1);

        guest.send(OP_CREDIT_UPDATE, GUEST_PORT, 5003, 0, 4096, 4096, new byte[0], false);
        final List<VsockGuest.Packet> more = receiveUntil(1);
        guest.poll();
        more.addAll(guest.receive());
        assertThat(more.stream().filter(p -> p.op() == OP_RW).mapToInt(p -> p.payload().length).sum()).isEqualTo(4096);
    }

    @Test
    void shouldShutDownTheHostSideAndAnswerTheGuestsCloseWithRst() throws IOException
    {
        guest(2, BUF);
        final ServerSocketChannel server = listenOn(5004);
        final SocketChannel host = guestConnects(5004, server);
        guest.send(OP_SHUTDOWN, GUEST_PORT, 5004, SHUTDOWN_BOTH, BUF, 0, new byte[0], false);
        final VsockGuest.Packet rst = receiveUntil(1).getFirst();
        assertThat(rst.op()).isEqualTo(OP_RST);
        assertThat(host.read(ByteBuffer.allocate(8))).as("host sees the end").isEqualTo(-1);
        assertThat(guest.device.streams()).isZero();
    }

    @Test
    void shouldTellTheGuestWhenTheHostProgramEndsItsStream() throws IOException
    {
        guest(2, BUF);
        final ServerSocketChannel server = listenOn(5005);
        final SocketChannel host = guestConnects(5005, server);
        write(host, "bye");
        host.shutdownOutput();
        final List<VsockGuest.Packet> packets = receiveUntil(2);
        assertThat(packets).extracting(VsockGuest.Packet::op).containsExactly(OP_RW, OP_SHUTDOWN);
        assertThat(packets.get(1).flags()).isEqualTo(SHUTDOWN_SEND);
    }

    @Test
    void shouldCountAndDropPacketsWithBadHeadersWithoutStoppingTheDevice() throws IOException
    {
        guest(2, BUF);
        guest.sendRaw(new byte[20], 20);
        final byte[] badLen = new byte[VsockHeader.SIZE];
        final ByteBuffer header = ByteBuffer.wrap(badLen).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putLong(0, VsockGuest.CID).putLong(8, HOST_CID).putInt(16, GUEST_PORT).putInt(20, 5006).putInt(24, 1_000_000)
            .putShort(28, (short)TYPE_STREAM).putShort(30, (short)OP_RW);
        guest.sendRaw(badLen, VsockHeader.SIZE);
        final byte[] wrongCid = badLen.clone();
        ByteBuffer.wrap(wrongCid).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 99).putInt(24, 0);
        guest.sendRaw(wrongCid, VsockHeader.SIZE);
        guest.pollUntil(() -> guest.counters().badPackets.get() == 3, "three bad packets are counted");
        assertThat(guest.counters().ringErrors.get()).isZero();
        assertThat(guest.receive()).as("the bad length's stream is reset; the rest are dropped")
            .extracting(VsockGuest.Packet::op).containsExactly(OP_RST);

        final ServerSocketChannel server = listenOn(5006);
        guestConnects(5006, server);
    }

    @Test
    void shouldStopTheRingsOfAGuestThatOffersReadOnlyRxBuffers()
    {
        guest = new VsockGuest(dir, 2, BUF);
        guest.send(OP_RW, GUEST_PORT, 7001, 0, BUF, 0, new byte[1], false);
        guest.sendRaw(new byte[0], 0);
        // rx buffers never posted: the RST waits; a tx chain of length 0 is a short packet
        guest.pollUntil(() -> guest.counters().badPackets.get() == 1, "the short packet is counted");
        assertThat(guest.device.needsReset()).isFalse();
    }

    @Test
    void shouldSendATransportResetOnTheEventQueueOfANewSession()
    {
        guest(3, BUF);
        guest.postEventBuffer();
        guest.pollUntil(() -> guest.used(VsockQueue.EVENT) == 1, "the event is used");
        assertThat(guest.eventId()).isZero();
    }

    @Test
    void shouldDropEveryStreamWhenTheFrontendGoesAway() throws IOException
    {
        guest(2, BUF);
        final ServerSocketChannel server = listenOn(5007);
        final SocketChannel host = guestConnects(5007, server);
        guest.session.close();
        guest.poll();
        assertThat(guest.device.streams()).isZero();
        assertThat(guest.counters().streamsDropped.get()).isEqualTo(1);
        assertThat(host.read(ByteBuffer.allocate(8))).isEqualTo(-1);
    }
}
