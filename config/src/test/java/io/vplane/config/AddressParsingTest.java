package io.vplane.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressParsingTest
{
    @Test
    void shouldAcceptAnIpv4MappedRangeAndMatchTheIpv4ClientsItCovers() throws Exception
    {
        final String range = "::ffff:10.0.0.0/104";

        assertThat(IpPrefix.isPrefix(range)).isTrue();
        final IpPrefix prefix = IpPrefix.parse(range);
        assertThat(prefix).isEqualTo(IpPrefix.parse("10.0.0.0/8"));
        assertThat(prefix.contains(InetAddress.getByName("10.9.8.7"))).isTrue();
        assertThat(prefix.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    }

    @Test
    void shouldRefuseWhatNoParserCanUse()
    {
        for (final String bad : new String[] {"10.0.0.0/33", "::1/129", "example.com/8", "10.0.0.0", "10.0.0.0/-1", "1/8",
            "10.0.0.0/8/8", "::ffff:10.0.0.0/ 104", "0x0a.0.0.0/8"})
        {
            assertThat(IpPrefix.isPrefix(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> IpPrefix.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldGiveIpv4AndItsMappedFormOneValue()
    {
        assertThat(IpLiteral.parse("127.0.0.1")).isEqualTo(IpLiteral.parse("::ffff:127.0.0.1"));
        assertThat(IpLiteral.isLiteral("localhost")).isFalse();
        assertThat(IpLiteral.isLiteral("127.1")).isFalse();
    }
}
