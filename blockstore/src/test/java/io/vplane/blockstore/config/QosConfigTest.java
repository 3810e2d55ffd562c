package io.vplane.blockstore.config;

import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.QosCosts;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigError;
import io.vplane.config.ConfigException;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.DeviceKinds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class QosConfigTest
{
    private static final String TENANTS = """
        nbd:
          tenants: [{name: t, allow: [127.0.0.0/8]}]
        """;

    @Test
    void shouldBindTheSchedulerAndADisksQos()
    {
        final VplaneConfig config = DeviceKinds.load().parse(TENANTS + """
              qos: {sliceMs: 5, capacityIops: 50000, capacityBytesPerSec: 400000000, costs: {flushBytes: 0, trimPercent: 10}}
              disks:
                - name: a
                  image: a.img
                  sizeBytes: 1048576
                  tenant: t
                  qos: {readIops: 1000, writeBytesPerSec: 10000000, burstMs: 200, reservationIops: 100, weight: 300}
            """, "t.yaml");

        final NbdConfig nbd = config.section(NbdConfig.class);
        assertThat(nbd.qos()).isEqualTo(new SchedulerSettings(5, 50_000, 400_000_000,
            new QosCosts(QosCosts.DEFAULTS.iopsSizeBytes(), 0, 10, QosCosts.DEFAULTS.zeroesPercent()), SchedulerSettings.PACE_STEPS));
        assertThat(nbd.disks().getFirst().qos()).isEqualTo(new DiskQos(1000, 0, 0, 10_000_000, 200, 100, 0, 300));
    }

    @Test
    void shouldRejectBadValuesAndReservationsThatCannotBeKept()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse(TENANTS + """
              qos: {sliceMs: 0, capacityIops: 1000}
              disks:
                - {name: a, image: a.img, sizeBytes: 1048576, tenant: t, qos: {weight: 0, readIops: 10, writeIops: 10, reservationIops: 30}}
                - {name: b, image: b.img, sizeBytes: 1048576, tenant: t, qos: {reservationIops: 990, iops: 5}}
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).contains(
            "0 is out of range; allowed 1..1000",
            "0 is out of range; allowed 1..10000",
            "reservationIops 30 is above the limits readIops + writeIops (20); a disk cannot be promised more than it may do",
            "the disks reserve 1020 IOPS in all, more than capacityIops 1000");
        assertThat(ex.errors()).anySatisfy(error -> assertThat(error.message()).contains("iops"));
    }

    @Test
    void shouldReportAQosChangeAsLiveWithoutReopeningTheDisk()
    {
        final VplaneConfig running = DeviceKinds.load().parse(TENANTS + """
              disks: [{name: a, image: a.img, sizeBytes: 1048576, tenant: t}]
            """, "t.yaml");
        final VplaneConfig next = DeviceKinds.load().parse(TENANTS + """
              qos: {sliceMs: 20}
              disks: [{name: a, image: a.img, sizeBytes: 1048576, tenant: t, qos: {writeIops: 50}}]
            """, "t.yaml");

        assertThat(ConfigDiff.between(running, next)).allSatisfy(change -> assertThat(change.live()).isTrue());
        assertThat(running.section(NbdConfig.class).disks().getFirst().withoutQos())
            .isEqualTo(next.section(NbdConfig.class).disks().getFirst().withoutQos());
    }

    @Test
    void shouldStartADisksQosFromItsLevelWithItsOwnFieldsOnTop()
    {
        final VplaneConfig config = DeviceKinds.load().parse(TENANTS + """
              qos:
                levels:
                  - {name: gold, reservationIops: 2000, weight: 400, readBytesPerSec: 500000000}
                  - {name: bronze, readIops: 500, writeIops: 500, weight: 50}
              disks:
                - {name: a, image: a.img, sizeBytes: 1048576, tenant: t, qos: {level: gold}}
                - {name: b, image: b.img, sizeBytes: 1048576, tenant: t, qos: {level: bronze, writeIops: 100}}
                - {name: c, image: c.img, sizeBytes: 1048576, tenant: t}
            """, "t.yaml");

        final NbdConfig nbd = config.section(NbdConfig.class);
        assertThat(nbd.disks()).extracting(NbdDiskConfig::qos).containsExactly(
            new DiskQos(0, 0, 500_000_000, 0, 0, 2000, 0, 400),
            new DiskQos(500, 100, 0, 0, 0, 0, 0, 50),
            DiskQos.UNLIMITED);
        assertThat(nbd.qosLevels()).containsOnlyKeys("gold", "bronze");
    }

    @Test
    void shouldRejectAnUnknownOrTwiceDefinedLevel()
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse(TENANTS + """
              qos:
                levels: [{name: gold, weight: 400}, {name: gold, weight: 10}]
              disks:
                - {name: a, image: a.img, sizeBytes: 1048576, tenant: t, qos: {level: silver}}
            """, "t.yaml"));

        assertThat(ex.errors()).extracting(ConfigError::message).contains(
            "QoS level 'gold' is defined twice",
            "QoS level 'silver' is not defined in nbd.qos.levels; defined: gold");
    }

    @Test
    void shouldApplyAChangedLevelLiveToTheDisksUsingIt()
    {
        final String disks = """
              disks: [{name: a, image: a.img, sizeBytes: 1048576, tenant: t, qos: {level: gold}}]
            """;
        final VplaneConfig running = DeviceKinds.load().parse(TENANTS + """
              qos: {levels: [{name: gold, weight: 400}]}
            """ + disks, "t.yaml");
        final VplaneConfig next = DeviceKinds.load().parse(TENANTS + """
              qos: {levels: [{name: gold, weight: 800}]}
            """ + disks, "t.yaml");

        assertThat(ConfigDiff.between(running, next)).isNotEmpty().allSatisfy(change -> assertThat(change.live()).isTrue());
        assertThat(next.section(NbdConfig.class).disks().getFirst().qos().weight()).isEqualTo(800);
    }
}
