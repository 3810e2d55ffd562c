package io.vplane.engine.daemon;

import io.vplane.config.ConfigLoader;
import io.vplane.config.NbdConfig;
import io.vplane.config.VplaneConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LiveSettingsTest
{
    @Test
    void shouldTakeNbdDisksAndTenantsFromTheNewFileAndKeepTheListener()
    {
        final VplaneConfig running = ConfigLoader.parse("""
            nbd:
              port: 10810
              tenants: [{name: a, allow: [127.0.0.0/8]}]
              disks: [{name: d1, image: d1.img, sizeBytes: 512, tenant: a}]
            """, "running.yaml");
        final VplaneConfig next = ConfigLoader.parse("""
            nbd:
              bindAddress: 0.0.0.0
              port: 10811
              tls: {certificateFile: c.pem, privateKeyFile: k.pem}
              tenants: [{name: b, allow: [10.0.0.0/8], requireTls: true}]
              disks: [{name: d2, image: d2.img, sizeBytes: 1024, tenant: b}]
            """, "next.yaml");

        final NbdConfig merged = LiveSettings.merge(running, next).nbd();

        assertThat(merged.disks()).isEqualTo(next.nbd().disks());
        assertThat(merged.tenants()).isEqualTo(next.nbd().tenants());
        assertThat(merged.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(merged.port()).isEqualTo(10810);
        assertThat(merged.tls()).isEqualTo(running.nbd().tls());
    }
}
