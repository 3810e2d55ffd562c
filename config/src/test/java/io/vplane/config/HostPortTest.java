package io.vplane.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostPortTest
{
    @Test
    void shouldReadRemoteEndpoints()
    {
        assertThat(HostPort.parse("[::1]:10809")).isEqualTo(new HostPort("::1", 10809));
        assertThat(HostPort.parse("nbd.example:10809").matches("NBD.example", 10809)).isTrue();
        assertThat(HostPort.parse("127.0.0.1:10809").matches("::ffff:127.0.0.1", 10809)).isTrue();
        assertThat(HostPort.parse("127.0.0.1:10809").matches("127.0.0.1", 10810)).isFalse();
        assertThat(HostPort.parse("127.0.0.1:0")).isNull();
        assertThat(HostPort.parse("::1:10809")).isNull();
    }
}
