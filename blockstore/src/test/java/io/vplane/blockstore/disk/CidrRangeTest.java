package io.vplane.blockstore.disk;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrRangeTest
{
    @Test
    void shouldMatchAddressesInsideThePrefixOnly() throws Exception
    {
        final CidrRange range = CidrRange.parse("10.1.0.0/17");

        assertThat(range.contains(InetAddress.getByName("10.1.127.255"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("10.1.128.0"))).isFalse();
        assertThat(range.contains(InetAddress.getByName("::1"))).isFalse();
    }

    @Test
    void shouldMatchIpv4MappedClientsAndIpv6Ranges() throws Exception
    {
        assertThat(CidrRange.parse("127.0.0.0/8").contains(InetAddress.getByName("::ffff:127.0.0.5"))).isTrue();
        assertThat(CidrRange.parse("::1/128").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(CidrRange.parse("fd00::/8").contains(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(CidrRange.parse("0.0.0.0/0").contains(InetAddress.getByName("192.0.2.1"))).isTrue();
    }

    @Test
    void shouldRejectHostNamesAndBadPrefixes()
    {
        assertThatThrownBy(() -> CidrRange.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrRange.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CidrRange.parse("10.0.0.0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAllowNobodyWithAnEmptyList() throws Exception
    {
        assertThat(Tenant.of("t", java.util.List.of(), false).allows(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void shouldUseAnIpv4MappedRangeThatTheConfigAccepts() throws Exception
    {
        // Validation took this range and the daemon threw on it: both now read it with one parser.
        final CidrRange range = CidrRange.parse("::ffff:10.0.0.0/104");

        assertThat(range.contains(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
        assertThat(range.contains(InetAddress.getByName("192.0.2.1"))).isFalse();
    }
}
