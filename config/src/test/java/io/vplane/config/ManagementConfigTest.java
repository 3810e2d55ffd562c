package io.vplane.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementConfigTest
{
    @Test
    void shouldListenOnlyOnTheUnixSocketByDefault()
    {
        final ManagementConfig management = ConfigLoader.parse("", "c.yaml").management();

        assertThat(management.enabled()).isTrue();
        assertThat(management.tcp()).isFalse();
        assertThat(management.socketGroup()).isEmpty();
    }

    @Test
    void shouldRefuseTcpWithoutATokenAndHalfATlsPair()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("management: {tcp: true}", "c.yaml"))
            .hasMessageContaining("management.tokenFile: the TCP listener needs a bearer token");
        assertThatThrownBy(() -> ConfigLoader.parse("management: {tcp: true, tokenFile: /etc/t, tlsCertFile: /etc/c.pem}", "c.yaml"))
            .hasMessageContaining("management.tlsKeyFile: TLS needs both");
    }

    @Test
    void shouldRefuseDirectoriesThatAreNotAbsoluteAndEndpointsThatAreNotHostPort()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("""
            daemon: {runDir: run, imageDirs: [images], remoteBackends: ["10.0.0.5", "[::1]:0"]}
            """, "c.yaml"))
            .hasMessageContaining("daemon.runDir: must be an absolute path")
            .hasMessageContaining("image directory 'images' must be an absolute path")
            .hasMessageContaining("'10.0.0.5' is not HOST:PORT")
            .hasMessageContaining("'[::1]:0' is not HOST:PORT");
    }
}
