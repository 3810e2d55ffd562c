package io.vplane.blockstore.config;

import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.QosCosts;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.config.SectionReader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and checks {@code nbd.qos} (the scheduler and its named levels) and {@code nbd.disks[].qos} (one disk). */
final class QosSettingsReader
{
    private static final long MAX_IOPS = 1_000_000_000L;
    /** 1 PiB/s: far above any device, far below overflow in the scheduler's arithmetic. */
    private static final long MAX_BYTES_PER_SEC = 1L << 50;

    private QosSettingsReader()
    {
    }

    static SchedulerSettings scheduler(final SectionReader section)
    {
        final SchedulerSettings d = SchedulerSettings.DEFAULTS;
        final int sliceMs = section.integer("sliceMs", d.sliceMs(), 1, 1000);
        final long capacityIops = section.longValue("capacityIops", d.capacityIops(), 0, MAX_IOPS);
        final long capacityBytesPerSec = section.longValue("capacityBytesPerSec", d.capacityBytesPerSec(), 0, MAX_BYTES_PER_SEC);
        final SectionReader costSection = section.section("costs");
        final QosCosts c = QosCosts.DEFAULTS;
        final QosCosts costs = new QosCosts(
            costSection.longValue("iopsSizeBytes", c.iopsSizeBytes(), 0, 1L << 30),
            costSection.longValue("flushBytes", c.flushBytes(), 0, 1L << 40),
            costSection.integer("trimPercent", c.trimPercent(), 0, 100),
            costSection.integer("zeroesPercent", c.zeroesPercent(), 0, 100));
        costSection.finish();
        final int paceSteps = section.integer("paceSteps", d.paceSteps(), 1, 100);
        final SectionReader measureSection = section.section("measure");
        final SchedulerSettings.Measure m = SchedulerSettings.Measure.OFF;
        final SchedulerSettings.Measure measure = new SchedulerSettings.Measure(
            measureSection.bool("enabled", m.enabled()),
            measureSection.integer("seconds", m.seconds(), 1, 60),
            measureSection.integer("fileMiB", m.fileMiB(), 16, 65_536),
            measureSection.integer("threads", m.threads(), 1, 256));
        measureSection.finish();
        section.finish();
        return new SchedulerSettings(sliceMs, capacityIops, capacityBytesPerSec, costs, paceSteps, measure);
    }

    /**
     * The named levels of {@code nbd.qos.levels}: each a QoS a disk can start from with
     * {@code qos.level}, its own fields on top.
     */
    static Map<String, DiskQos> levels(final SectionReader section)
    {
        final Map<String, DiskQos> levels = new LinkedHashMap<>();
        for (final SectionReader item : section.list("levels"))
        {
            final String name = item.requiredName("name", "QoS level");
            final DiskQos qos = fields(item, DiskQos.UNLIMITED);
            item.finish();
            if (null != name && null != levels.putIfAbsent(name, qos))
            {
                item.reject("name", "QoS level '" + name + "' is defined twice");
            }
        }
        return levels;
    }

    /** A disk's {@code qos}: its level's values (none: unlimited), with the fields it sets itself in their place. */
    static DiskQos disk(final SectionReader section, final Map<String, DiskQos> levels)
    {
        final String level = section.string("level", "").strip();
        DiskQos base = DiskQos.UNLIMITED;
        if (!level.isEmpty())
        {
            base = levels.get(level);
            if (null == base)
            {
                section.reject("level", "QoS level '" + level + "' is not defined in nbd.qos.levels; defined: " +
                    (levels.isEmpty() ? "none" : String.join(", ", levels.keySet())));
                base = DiskQos.UNLIMITED;
            }
        }
        final DiskQos qos = fields(section, base);
        section.finish();
        return qos;
    }

    private static DiskQos fields(final SectionReader section, final DiskQos d)
    {
        final long readIops = section.longValue("readIops", d.readIops(), 0, MAX_IOPS);
        final long writeIops = section.longValue("writeIops", d.writeIops(), 0, MAX_IOPS);
        final long readBytes = section.longValue("readBytesPerSec", d.readBytesPerSec(), 0, MAX_BYTES_PER_SEC);
        final long writeBytes = section.longValue("writeBytesPerSec", d.writeBytesPerSec(), 0, MAX_BYTES_PER_SEC);
        final long burstMs = section.longValue("burstMs", d.burstMs(), 0, 60_000);
        final long reservationIops = section.longValue("reservationIops", d.reservationIops(), 0, MAX_IOPS);
        final long reservationBytes = section.longValue("reservationBytesPerSec", d.reservationBytesPerSec(), 0, MAX_BYTES_PER_SEC);
        final int weight = section.integer("weight", d.weight(), 1, 10_000);
        if (readIops > 0 && writeIops > 0 && reservationIops > readIops + writeIops)
        {
            section.reject("reservationIops", "reservationIops " + reservationIops + " is above the limits readIops + writeIops (" +
                (readIops + writeIops) + "); a disk cannot be promised more than it may do");
        }
        if (readBytes > 0 && writeBytes > 0 && reservationBytes > readBytes + writeBytes)
        {
            section.reject("reservationBytesPerSec", "reservationBytesPerSec " + reservationBytes +
                " is above the limits readBytesPerSec + writeBytesPerSec (" + (readBytes + writeBytes) +
                "); a disk cannot be promised more than it may do");
        }
        return new DiskQos(readIops, writeIops, readBytes, writeBytes, burstMs, reservationIops, reservationBytes, weight);
    }

    /** Reservations must fit in the capacity they are taken from. */
    static void checkReservations(final SectionReader section, final SchedulerSettings scheduler, final List<NbdDiskConfig> disks)
    {
        final long iops = disks.stream().mapToLong(disk -> disk.qos().reservationIops()).sum();
        final long bytes = disks.stream().mapToLong(disk -> disk.qos().reservationBytesPerSec()).sum();
        if (scheduler.capacityIops() > 0 && iops > scheduler.capacityIops())
        {
            section.reject("capacityIops", "the disks reserve " + iops + " IOPS in all, more than capacityIops " +
                scheduler.capacityIops());
        }
        if (scheduler.capacityBytesPerSec() > 0 && bytes > scheduler.capacityBytesPerSec())
        {
            section.reject("capacityBytesPerSec", "the disks reserve " + bytes + " bytes/s in all, more than capacityBytesPerSec " +
                scheduler.capacityBytesPerSec());
        }
    }
}
