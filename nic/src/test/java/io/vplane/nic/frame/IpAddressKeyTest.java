package io.vplane.nic.frame;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAddressKeyTest
{
    @Test
    void shouldPrintAddressesInTheirCanonicalForm()
    {
        for (final String text : new String[] {"10.0.0.2", "fd00::2", "::", "::1", "2001:db8::1:0:0:1", "2001:db8:0:1:1:1:1:1",
            "fe80::", "1:2:3:4:5:6:7:8"})
        {
            final long[] key = IpAddressKey.parse(text);
            assertThat(IpAddressKey.toString(key[0], key[1])).isEqualTo(text);
        }
        final long[] upper = IpAddressKey.parse("FD00:0:0:0:0:0:0:2");
        assertThat(IpAddressKey.toString(upper[0], upper[1])).isEqualTo("fd00::2");
    }

    @Test
    void shouldKeepIpv4AndIpv6Apart()
    {
        final long[] v4 = IpAddressKey.parse("10.0.0.2");
        final long[] v6 = IpAddressKey.parse("::a00:2");
        assertThat(IpAddressKey.isV4(v4[0], v4[1])).isTrue();
        assertThat(v6).isNotEqualTo(v4);
        assertThatThrownBy(() -> IpAddressKey.parse("host.example")).hasMessageContaining("not an IPv4 or IPv6");
    }
}
