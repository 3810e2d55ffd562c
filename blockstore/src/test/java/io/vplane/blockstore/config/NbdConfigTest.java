package io.vplane.blockstore.config;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigError;
import io.vplane.config.ConfigException;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class NbdConfigTest
{
    @Test
    void shouldBindDisksAndTenants()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            nbd:
              port: 0
              tenants:
                - name: acme
                  allow: [10.0.0.0/8, "fd00::/8"]
              disks:
                - name: vm1
                  image: /var/lib/vm1.img
                  sizeBytes: 1_048_576
                  tenant: acme
            """, "t.yaml");

        assertThat(config.section(NbdConfig.class).port()).isZero();
        assertThat(config.section(NbdConfig.class).tenants()).containsExactly(new NbdTenantConfig("acme", List.of("10.0.0.0/8", "fd00::/8"), false));
        assertThat(config.section(NbdConfig.class).disks()).containsExactly(
            new NbdDiskConfig("vm1", "/var/lib/vm1.img", 1_048_576, false, "", "acme", 1, 1));
    }

    @Test
    void shouldDefaultToNoDisksOnPort10809()
    {
        assertThat(DeviceKinds.load().defaults().section(NbdConfig.class)).isEqualTo(new NbdConfig("127.0.0.1", 10809, List.of(), List.of(), new NbdTlsConfig("", "", ""),
            NbdTransport.EPOLL, NbdLimits.DEFAULTS));
    }

    @Test
    void shouldBindLimitsAndKeepTheDefaultsOfThoseNotGiven()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            nbd:
              limits:
                handshakeTimeoutMs: 2_000
                maxConnectionsPerClient: 1
                maxDataBytesInFlight: 16_777_216
                unwritableTimeoutMs: 5_000
                zeroSliceBytes: 1_048_576
            """, "t.yaml");

        final NbdLimits d = NbdLimits.DEFAULTS;
        assertThat(config.section(NbdConfig.class).limits()).isEqualTo(new NbdLimits(2_000, d.maxOptions(), d.maxOptionBytes(),
            d.maxConnections(), 1, d.maxConnectionsPerExport(), 16L << 20, d.writeHighWaterBytes(), 5_000, 1L << 20));
    }

    @Test
    void shouldReportLimitsOutOfRangeAndUnknownLimits()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              limits:
                handshakeTimeoutMs: 0
                maxOptions: 0
                maxOptionBytes: 512
                maxConnections: 0
                maxConnectionsPerClient: 2_000_000
                maxConnectionsPerExport: -1
                maxDataBytesInFlight: 4096
                writeHighWaterBytes: 4_294_967_296
                unwritableTimeoutMs: 99
                zeroSliceBytes: 1
                sliceBytes: 1
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::path).containsExactlyInAnyOrder(
            "nbd.limits.handshakeTimeoutMs", "nbd.limits.maxOptions", "nbd.limits.maxOptionBytes", "nbd.limits.maxConnections",
            "nbd.limits.maxConnectionsPerClient", "nbd.limits.maxConnectionsPerExport", "nbd.limits.maxDataBytesInFlight",
            "nbd.limits.writeHighWaterBytes", "nbd.limits.unwritableTimeoutMs", "nbd.limits.zeroSliceBytes",
            "nbd.limits.sliceBytes");
        assertThat(ex.errors()).extracting(ConfigError::message).contains(
            "0 is out of range; allowed 100..3600000", "512 is out of range; allowed 1024..16777216",
            "4294967296 is out of range; allowed 65536..1073741824");
    }

    @Test
    void shouldReportLimitChangesAsNeedingRestart()
    {
        final VplaneConfig running = DeviceKinds.load().defaults();
        final VplaneConfig next = DeviceKinds.load().parse("""
            nbd:
              limits:
                maxConnections: 16
            """, "t.yaml");

        assertThat(ConfigDiff.between(running, next)).singleElement().satisfies(change ->
        {
            assertThat(change.path()).isEqualTo("nbd.limits");
            assertThat(change.live()).isFalse();
        });
    }

    @Test
    void shouldReportUnknownTenantBadCidrAndBadSize()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              tenants:
                - name: acme
                  allow: [10.0.0.0/33]
              disks:
                - name: vm1
                  image: vm1.img
                  sizeBytes: 1000
                  tenant: nobody
                  queues: 0
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).containsExactlyInAnyOrder(
            "'10.0.0.0/33' is not a CIDR range; write e.g. 10.0.0.0/8, 127.0.0.1/32 or ::1/128",
            "sizeBytes 1000 must be a multiple of 512",
            "tenant 'nobody' is not declared in nbd.tenants; declared: acme",
            "0 is out of range; allowed 1..64");
    }

    @Test
    void shouldAcceptAnRbdImageAndReportABadOneOrAWritableSnapshot()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            nbd:
              tenants:
                - {name: acme, allow: [10.0.0.0/8]}
              disks:
                - {name: vm1, image: "rbd://volumes/vm1?conf=/etc/ceph/ceph.conf&id=vplane", sizeBytes: 1048576, tenant: acme}
                - {name: gold, image: "rbd://volumes/ns/gold@v1", sizeBytes: 1048576, tenant: acme, readOnly: true}
            """, "t.yaml");
        assertThat(config.section(NbdConfig.class).disks()).extracting(NbdDiskConfig::image)
            .containsExactly("rbd://volumes/vm1?conf=/etc/ceph/ceph.conf&id=vplane", "rbd://volumes/ns/gold@v1");

        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              tenants:
                - {name: acme, allow: [10.0.0.0/8]}
              disks:
                - {name: vm1, image: "rbd://volumes", sizeBytes: 1048576, tenant: acme}
                - {name: vm2, image: "rbd://volumes/vm2@snap", sizeBytes: 1048576, tenant: acme}
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).containsExactlyInAnyOrder(
            "not an rbd://POOL[/NAMESPACE]/IMAGE[@SNAP][?conf=PATH&id=NAME&keyring=PATH&timeoutMs=N] image: rbd://volumes: "
                + "it needs a pool and an image, and at most a namespace between them",
            "image rbd://volumes/vm2@snap is a snapshot, which is read-only: set readOnly: true");
    }

    @Test
    void shouldRejectMinBlockThatIsNoPowerOfTwoOrDoesNotDivideTheSize()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              tenants: [{name: t}]
              disks:
                - {name: a, image: a.img, sizeBytes: 1536, tenant: t, minBlockBytes: 1024}
                - {name: b, image: b.img, sizeBytes: 4096, tenant: t, minBlockBytes: 1000}
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).containsExactly(
            "sizeBytes 1536 is not a multiple of minBlockBytes 1024",
            "minBlockBytes 1000 must be a power of two between 1 and 65536");
    }

    @Test
    void shouldRequireCertificatesForTlsTenants()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              tls: {certificateFile: /etc/vplane/cert.pem}
              tenants: [{name: t, requireTls: true}]
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).containsExactly(
            "certificateFile and privateKeyFile go together: give both or neither");
    }

    @Test
    void shouldRejectDuplicateDiskNames()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            nbd:
              tenants: [{name: t}]
              disks:
                - {name: d, image: a.img, sizeBytes: 512, tenant: t}
                - {name: d, image: b.img, sizeBytes: 512, tenant: t}
            """, "t.yaml"));

        assertThat(ex.errors()).singleElement().extracting(ConfigError::message)
            .isEqualTo("disk name 'd' is used twice; first at line 4");
    }

    @Test
    void shouldRejectADiskNamedLikeADeviceOfAnotherKind()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse("""
            devices:
              loopback: [{name: lo0}]
            nbd:
              tenants: [{name: t}]
              disks: [{name: lo0, image: a.img, sizeBytes: 512, tenant: t}]
            """, "t.yaml"));

        assertThat(ex.errors()).singleElement().hasToString(
            "t.yaml:5:18: nbd.disks[0].name: disk name 'lo0' is already a device name in devices.loopback");
    }

    @Test
    void shouldReportNbdChangesAsNeedingRestart()
    {
        final VplaneConfig running = DeviceKinds.load().defaults();
        final VplaneConfig next = DeviceKinds.load().parse("nbd:\n  port: 10810\n", "t.yaml");

        assertThat(ConfigDiff.between(running, next)).anySatisfy(change ->
        {
            assertThat(change.path()).isEqualTo("nbd.port");
            assertThat(change.live()).isFalse();
        });
    }

    @Test
    void shouldReportDiskAndTenantChangesAsLiveAndTlsAsRestart()
    {
        final VplaneConfig running = DeviceKinds.load().parse("""
            nbd:
              tenants:
                - {name: t, allow: [127.0.0.0/8]}
              disks:
                - {name: a, image: a.img, sizeBytes: 512, tenant: t}
                - {name: b, image: b.img, sizeBytes: 512, tenant: t}
            """, "t.yaml");
        final VplaneConfig next = DeviceKinds.load().parse("""
            nbd:
              tls: {certificateFile: c.pem, privateKeyFile: k.pem}
              tenants:
                - {name: t, allow: [10.0.0.0/8], requireTls: true}
              disks:
                - {name: a, image: a.img, sizeBytes: 1024, tenant: t}
                - {name: c, image: c.img, sizeBytes: 512, tenant: t}
            """, "t.yaml");

        assertThat(ConfigDiff.between(running, next)).containsExactly(
            new SettingChange("nbd.disks.a",
                "image=a.img sizeBytes=512 readOnly=false description= tenant=t queues=1 minBlockBytes=1",
                "image=a.img sizeBytes=1024 readOnly=false description= tenant=t queues=1 minBlockBytes=1", true),
            new SettingChange("nbd.disks.b",
                "image=b.img sizeBytes=512 readOnly=false description= tenant=t queues=1 minBlockBytes=1", "absent", true),
            new SettingChange("nbd.disks.c", "absent",
                "image=c.img sizeBytes=512 readOnly=false description= tenant=t queues=1 minBlockBytes=1", true),
            new SettingChange("nbd.tenants.t", "allow=[127.0.0.0/8] requireTls=false", "allow=[10.0.0.0/8] requireTls=true", true),
            new SettingChange("nbd.tls", new NbdTlsConfig("", "", "").toString(),
                new NbdTlsConfig("c.pem", "k.pem", "").toString(), false));
    }
}
