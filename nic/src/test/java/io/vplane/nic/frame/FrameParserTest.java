package io.vplane.nic.frame;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class FrameParserTest
{
    private static final long A = 0x0200_0000_000AL;
    private static final long B = 0x0200_0000_000BL;

    private final FrameParser parser = new FrameParser(2, 1522);
    private final ParsedFrame frame = new ParsedFrame();

    private int parse(final TestFrames builder)
    {
        final UnsafeBuffer buffer = builder.buffer();
        return parser.parse(buffer, buffer.capacity(), frame);
    }

    @Test
    void shouldReadIpv4AddressesAsMappedKeys()
    {
        assertThat(parse(TestFrames.ethernet(B, A).ipv4Udp("10.0.0.1", "10.0.0.2", 18))).isEqualTo(FrameParser.OK);
        assertThat(frame.kind()).isEqualTo(ParsedFrame.KIND_IPV4);
        assertThat(frame.srcMac()).isEqualTo(A);
        assertThat(frame.dstMac()).isEqualTo(B);
        final long[] dst = IpAddressKey.parse("10.0.0.2");
        assertThat(frame.dstIpHi()).isEqualTo(dst[0]);
        assertThat(frame.dstIpLo()).isEqualTo(dst[1]);
        assertThat(frame.l3Offset()).isEqualTo(14);
    }

    @Test
    void shouldReadOuterVlanIdAndSkipTwoTags()
    {
        assertThat(parse(TestFrames.ethernet(B, A, 100, 200).ipv4Udp("10.0.0.1", "10.0.0.2", 0))).isEqualTo(FrameParser.OK);
        assertThat(frame.tagCount()).isEqualTo(2);
        assertThat(frame.vlanId()).isEqualTo(100);
        assertThat(frame.l3Offset()).isEqualTo(22);
    }

    @Test
    void shouldRejectThreeTags()
    {
        assertThat(parse(TestFrames.ethernet(B, A, 1, 2, 3).ipv4Udp("10.0.0.1", "10.0.0.2", 0)))
            .isEqualTo(FrameParser.TOO_MANY_TAGS);
    }

    @Test
    void shouldRejectRuntAndOversized()
    {
        assertThat(parser.parse(new UnsafeBuffer(new byte[13]), 13, frame)).isEqualTo(FrameParser.RUNT);
        assertThat(parser.parse(new UnsafeBuffer(new byte[1600]), 1600, frame)).isEqualTo(FrameParser.OVERSIZED);
        assertThat(parse(TestFrames.ethernet(B, A).etherType(Ethernet.TPID_8021Q))).isEqualTo(FrameParser.RUNT);
    }

    @Test
    void shouldRejectTruncatedIpv4AndIpv6()
    {
        assertThat(parse(TestFrames.ethernet(B, A).ipv4Udp("10.0.0.1", "10.0.0.2", 10).truncate(14 + 19)))
            .isEqualTo(FrameParser.TRUNCATED_IP);
        // total length claims more than the frame holds
        assertThat(parse(TestFrames.ethernet(B, A).ipv4Udp("10.0.0.1", "10.0.0.2", 10).truncate(14 + 30)))
            .isEqualTo(FrameParser.TRUNCATED_IP);
        assertThat(parse(TestFrames.ethernet(B, A).ipv6Udp("fd00::1", "fd00::2", 10).truncate(14 + 39)))
            .isEqualTo(FrameParser.TRUNCATED_IP);
    }

    @Test
    void shouldAcceptEthernetPadding()
    {
        assertThat(parse(TestFrames.ethernet(B, A).ipv4Udp("10.0.0.1", "10.0.0.2", 0).padTo(60))).isEqualTo(FrameParser.OK);
    }

    @Test
    void shouldParseArpAndRejectTruncatedArp()
    {
        assertThat(parse(TestFrames.ethernet(MacAddress.BROADCAST, A)
            .arp(Arp.OPER_REQUEST, A, "10.0.0.1", 0, "10.0.0.2"))).isEqualTo(FrameParser.OK);
        assertThat(frame.kind()).isEqualTo(ParsedFrame.KIND_ARP);
        assertThat(frame.arpOper()).isEqualTo(Arp.OPER_REQUEST);
        assertThat(frame.dstIpLo()).isEqualTo(IpAddressKey.parse("10.0.0.2")[1]);
        assertThat(parse(TestFrames.ethernet(MacAddress.BROADCAST, A)
            .arp(Arp.OPER_REQUEST, A, "10.0.0.1", 0, "10.0.0.2").truncate(14 + 27))).isEqualTo(FrameParser.TRUNCATED_ARP);
    }

    @Test
    void shouldParseNeighborSolicitationWithSourceLinkLayerOption()
    {
        assertThat(parse(TestFrames.ethernet(B, A).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::1", "ff02::1:ff00:2",
            "fd00::2", Ndp.OPTION_SOURCE_LINK_LAYER, A))).isEqualTo(FrameParser.OK);
        assertThat(frame.isNdp()).isTrue();
        assertThat(frame.ndpType()).isEqualTo(Ndp.TYPE_NEIGHBOR_SOLICITATION);
        assertThat(frame.ndpTargetLo()).isEqualTo(IpAddressKey.parse("fd00::2")[1]);
        assertThat(frame.sourceLinkLayerOffset()).isEqualTo(14 + 40 + 24);
    }

    @Test
    void shouldRejectNdpWithZeroLengthOptionOrShortBody()
    {
        final UnsafeBuffer zero = TestFrames.ethernet(B, A).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::1", "fd00::2",
            "fd00::2", Ndp.OPTION_SOURCE_LINK_LAYER, A).buffer();
        zero.putByte(14 + 40 + 25, (byte)0);
        assertThat(parser.parse(zero, zero.capacity(), frame)).isEqualTo(FrameParser.TRUNCATED_NDP);

        final UnsafeBuffer shortBody = TestFrames.ethernet(B, A).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT, "fd00::1", "fd00::2",
            "fd00::2", 0, 0).buffer();
        shortBody.putShort(14 + 4, (short)20, ByteOrder.BIG_ENDIAN);
        assertThat(parser.parse(shortBody, shortBody.capacity(), frame)).isEqualTo(FrameParser.TRUNCATED_NDP);
    }

    @Test
    void shouldDecideOnlyOnHeadersWithinTheVisibleStartOfAFrame()
    {
        // the switch's copy of a guest frame's start: headers must lie in it, lengths count the whole frame
        final UnsafeBuffer udp = TestFrames.ethernet(B, A).ipv4Udp("10.0.0.1", "10.0.0.2", 1000).buffer();
        assertThat(parser.parse(udp, 64, udp.capacity(), frame)).isEqualTo(FrameParser.OK);
        assertThat(frame.srcIpLo()).isEqualTo(IpAddressKey.v4Lo(TestFrames.ipv4("10.0.0.1")));
        assertThat(parser.parse(udp, 14 + 19, udp.capacity(), frame)).isEqualTo(FrameParser.TRUNCATED_IP);

        final UnsafeBuffer ns = TestFrames.ethernet(B, A).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::1", "ff02::1:ff00:2",
            "fd00::2", Ndp.OPTION_SOURCE_LINK_LAYER, A).buffer();
        assertThat(parser.parse(ns, ns.capacity() - 1, ns.capacity(), frame)).as("an option past the visible bytes")
            .isEqualTo(FrameParser.TRUNCATED_NDP);
        assertThat(parser.parse(ns, ns.capacity(), ns.capacity(), frame)).isEqualTo(FrameParser.OK);
    }

    @Test
    void shouldSwitchUnknownEtherTypesOnEthernetAlone()
    {
        assertThat(parse(TestFrames.ethernet(B, A).etherType(0x88CC).padTo(60))).isEqualTo(FrameParser.OK);
        assertThat(frame.hasIp()).isFalse();
    }
}
