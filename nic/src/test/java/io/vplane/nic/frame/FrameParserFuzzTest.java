package io.vplane.nic.frame;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guest bytes into the vSwitch's frame parser. The frame sits in a buffer of exactly its length
 * with Agrona's bounds checks on (bin/jvm.options), so a read past the frame throws; the parser
 * must return a result code for every input and what it accepts must lie inside the frame.
 */
class FrameParserFuzzTest
{
    private static final int MAX_FRAME_BYTES = 9216;

    private final FrameParser parser = new FrameParser(FrameParser.MAX_SUPPORTED_TAGS, MAX_FRAME_BYTES);
    private final ParsedFrame frame = new ParsedFrame();

    @FuzzTest(maxDuration = "30s")
    void shouldParseAnyFrameInBoundsOrNameItsFault(final byte[] bytes)
    {
        final int result = parser.parse(new UnsafeBuffer(bytes), bytes.length, frame);

        assertThat(result).isBetween(FrameParser.OK, FrameParser.TRUNCATED_NDP);
        assertThat(frame.length()).isEqualTo(bytes.length);
        if (result == FrameParser.OK)
        {
            assertAcceptedFrameLiesWithin(bytes.length);
        }
    }

    private void assertAcceptedFrameLiesWithin(final int length)
    {
        assertThat(length).isBetween(Ethernet.HEADER_LENGTH, MAX_FRAME_BYTES);
        assertThat(frame.tagCount()).isBetween(0, FrameParser.MAX_SUPPORTED_TAGS);
        assertThat(frame.vlanId()).isBetween(0, Ethernet.VID_MASK);
        assertThat(frame.l3Offset()).isEqualTo(Ethernet.HEADER_LENGTH + frame.tagCount() * Ethernet.TAG_LENGTH);
        assertThat(frame.l3Offset()).isLessThanOrEqualTo(length);
        assertThat(frame.etherType()).isBetween(0, 0xFFFF);
        assertThat(Ethernet.isTagType(frame.etherType())).isFalse();
        switch (frame.kind())
        {
            case ParsedFrame.KIND_IPV4 -> assertThat(frame.l3Offset() + Ipv4.MIN_HEADER_LENGTH).isLessThanOrEqualTo(length);
            case ParsedFrame.KIND_IPV6 -> assertThat(frame.l3Offset() + Ipv6.HEADER_LENGTH).isLessThanOrEqualTo(length);
            case ParsedFrame.KIND_ARP ->
            {
                assertThat(frame.l3Offset() + Arp.LENGTH).isLessThanOrEqualTo(length);
                assertThat(frame.arpOper()).isBetween(0, 0xFFFF);
            }
            default -> assertThat(frame.kind()).isEqualTo(ParsedFrame.KIND_OTHER);
        }
        if (frame.isNdp())
        {
            assertNdpLiesWithin(length);
        }
    }

    private void assertNdpLiesWithin(final int length)
    {
        assertThat(frame.kind()).isEqualTo(ParsedFrame.KIND_IPV6);
        assertThat(frame.icmpOffset()).isEqualTo(frame.l3Offset() + Ipv6.HEADER_LENGTH);
        assertThat(frame.icmpOffset() + frame.icmpLength()).isLessThanOrEqualTo(length);
        assertThat(frame.ndpType()).isBetween(Ndp.TYPE_ROUTER_SOLICITATION, Ndp.TYPE_REDIRECT);
        assertThat(frame.icmpLength()).isGreaterThanOrEqualTo(Ndp.optionsOffset(frame.ndpType()));
        if (frame.sourceLinkLayerOffset() >= 0)
        {
            assertThat(frame.sourceLinkLayerOffset()).isGreaterThanOrEqualTo(frame.icmpOffset() + Ndp.optionsOffset(frame.ndpType()));
            assertThat(frame.sourceLinkLayerOffset() + Ndp.LINK_LAYER_OPTION_LENGTH)
                .isLessThanOrEqualTo(frame.icmpOffset() + frame.icmpLength());
        }
    }
}
