package io.vplane.nic.frame;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class LinkLayerRewriterTest
{
    private static final long LOCAL = 0x0200_0000_0001L;
    private static final long GLOBAL = 0x02FF_0000_0001L;
    private static final long PEER = 0x0200_0000_00EEL;

    private final FrameParser parser = new FrameParser(2, 1522);
    private final ParsedFrame frame = new ParsedFrame();

    @Test
    void shouldRewriteArpSenderWithEthernetSource()
    {
        final UnsafeBuffer buffer = TestFrames.ethernet(PEER, LOCAL)
            .arp(Arp.OPER_REPLY, LOCAL, "10.0.0.1", PEER, "10.0.0.9").buffer();
        parser.parse(buffer, buffer.capacity(), frame);

        assertThat(LinkLayerRewriter.rewrite(buffer, frame, true, LOCAL, GLOBAL)).isEqualTo(1);

        assertThat(MacAddress.read(buffer, Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(buffer, 14 + Arp.SHA_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(buffer, 14 + Arp.THA_OFFSET)).isEqualTo(PEER);
    }

    @Test
    void shouldRewriteNdpTargetOptionAndKeepChecksumValid()
    {
        final UnsafeBuffer buffer = TestFrames.ethernet(PEER, LOCAL).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT,
            "fd00::1", "fd00::ee", "fd00::1", Ndp.OPTION_TARGET_LINK_LAYER, LOCAL).buffer();
        parser.parse(buffer, buffer.capacity(), frame);

        assertThat(LinkLayerRewriter.rewrite(buffer, frame, true, LOCAL, GLOBAL)).isEqualTo(1);

        final int icmp = frame.icmpOffset();
        assertThat(MacAddress.read(buffer, icmp + 24 + 2)).isEqualTo(GLOBAL);
        final int stored = buffer.getShort(icmp + Ndp.CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        assertThat(stored).isEqualTo(Checksums.icmpv6(buffer, frame.l3Offset(), icmp, frame.icmpLength()));
    }

    @Test
    void shouldLeaveOptionsWithOtherAddressesAlone()
    {
        final UnsafeBuffer buffer = TestFrames.ethernet(LOCAL, PEER).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION,
            "fd00::ee", "fd00::1", "fd00::1", Ndp.OPTION_SOURCE_LINK_LAYER, PEER).buffer();
        parser.parse(buffer, buffer.capacity(), frame);
        final byte[] before = new byte[buffer.capacity()];
        buffer.getBytes(0, before);

        assertThat(LinkLayerRewriter.rewrite(buffer, frame, false, GLOBAL, LOCAL)).isZero();
        assertThat(MacAddress.read(buffer, Ethernet.DST_OFFSET)).isEqualTo(LOCAL);
        assertThat(buffer.getByte(frame.icmpOffset() + 2)).isEqualTo(before[frame.icmpOffset() + 2]);
    }

    @Test
    void shouldMatchFullChecksumAfterIncrementalUpdate()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putShort(4, (short)0x0200, ByteOrder.BIG_ENDIAN);
        buffer.putInt(6, 0x0000_0001, ByteOrder.BIG_ENDIAN);
        final int before = ~(int)fold(Checksums.sum(buffer, 0, 16)) & 0xFFFF;
        MacAddress.write(buffer, 4, GLOBAL);
        final int after = ~(int)fold(Checksums.sum(buffer, 0, 16)) & 0xFFFF;

        assertThat(Checksums.adjustForMac(before, 0x0200_0000_0001L, GLOBAL)).isEqualTo(after);
    }

    @Test
    void shouldParseAndPrintMacAddresses()
    {
        assertThat(MacAddress.parse("02:ff:00:00:00:01")).isEqualTo(GLOBAL);
        assertThat(MacAddress.toString(GLOBAL)).isEqualTo("02:ff:00:00:00:01");
        assertThat(MacAddress.isGroup(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isGroup(0x3333_0000_0001L)).isTrue();
        assertThat(MacAddress.isGroup(LOCAL)).isFalse();
    }

    private static long fold(final long value)
    {
        long sum = value;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }
}
