package io.vplane.blockstore.config;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NbdLiveSettingsTest
{
    @Test
    void shouldTakeNbdDisksAndTenantsFromTheNewFileAndKeepTheListener()
    {
        final VplaneConfig running = DeviceKinds.load().parse("""
            nbd:
              port: 10810
              tenants: [{name: a, allow: [127.0.0.0/8]}]
              disks: [{name: d1, image: d1.img, sizeBytes: 512, tenant: a}]
            """, "running.yaml");
        final VplaneConfig next = DeviceKinds.load().parse("""
            nbd:
              bindAddress: 0.0.0.0
              port: 10811
              tls: {certificateFile: c.pem, privateKeyFile: k.pem}
              tenants: [{name: b, allow: [10.0.0.0/8], requireTls: true}]
              disks: [{name: d2, image: d2.img, sizeBytes: 1024, tenant: b}]
            """, "next.yaml");

        final NbdConfig merged = running.sections().live(next.sections()).get(NbdConfig.class);

        assertThat(merged.disks()).isEqualTo(next.section(NbdConfig.class).disks());
        assertThat(merged.tenants()).isEqualTo(next.section(NbdConfig.class).tenants());
        assertThat(merged.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(merged.port()).isEqualTo(10810);
        assertThat(merged.tls()).isEqualTo(running.section(NbdConfig.class).tls());
    }
}
