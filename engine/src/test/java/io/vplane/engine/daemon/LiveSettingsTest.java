package io.vplane.engine.daemon;

import io.vplane.config.LogLevel;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.loopback.LoopbackDevicesConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LiveSettingsTest
{
    @Test
    void shouldTakeLiveSettingsAndDevicesFromTheNewFileAndKeepWhatIsSizedAtStart()
    {
        final VplaneConfig running = DeviceKinds.load().parse("""
            daemon: {runDir: /tmp/a, logLevel: INFO}
            pools:
              net: {workers: 1, cpus: [0], batch: 8, ringSize: 1024}
            """, "running.yaml");
        final VplaneConfig next = DeviceKinds.load().parse("""
            daemon: {runDir: /tmp/b, logLevel: DEBUG}
            pools:
              net: {workers: 2, cpus: [1], batch: 16, ringSize: 2048}
            devices:
              loopback: [{name: lo1}]
            """, "next.yaml");

        final VplaneConfig merged = LiveSettings.merge(running, next);

        assertThat(merged.daemon().runDir()).isEqualTo("/tmp/a");
        assertThat(merged.daemon().logLevel()).isEqualTo(LogLevel.DEBUG);
        assertThat(merged.pool("net").workers()).isEqualTo(1);
        assertThat(merged.pool("net").ringSize()).isEqualTo(1024);
        assertThat(merged.pool("net").cpus()).isEqualTo(List.of(1));
        assertThat(merged.pool("net").batch()).isEqualTo(16);
        assertThat(merged.section(LoopbackDevicesConfig.class)).isEqualTo(next.section(LoopbackDevicesConfig.class));
    }
}
