package io.vplane.blockstore.qos;

/**
 * The slice scheduler shared by all disks ({@code nbd.qos}).
 *
 * @param sliceMs                length of a scheduling slice
 * @param capacityIops           operations per second the storage sustains, read and write together; 0: not shared out
 * @param capacityBytesPerSec    bytes per second the storage sustains; 0: not shared out
 * @param costs                  what each command costs
 * @param paceSteps              a disk held below what it waits for gets its slice's grant in this
 *                               many equal steps spread over the slice; 1: all at the slice's start
 * @param measure                whether and how to measure the capacity left at 0 when the first disk opens
 */
public record SchedulerSettings(int sliceMs, long capacityIops, long capacityBytesPerSec, QosCosts costs, int paceSteps,
    Measure measure)
{
    public static final int SLICE_MS = 10;
    public static final int PACE_STEPS = 4;
    public static final SchedulerSettings DEFAULTS =
        new SchedulerSettings(SLICE_MS, 0, 0, QosCosts.DEFAULTS, PACE_STEPS, Measure.OFF);

    /** Settings as configured, with no measurement. */
    public SchedulerSettings(final int sliceMs, final long capacityIops, final long capacityBytesPerSec, final QosCosts costs,
        final int paceSteps)
    {
        this(sliceMs, capacityIops, capacityBytesPerSec, costs, paceSteps, Measure.OFF);
    }

    /** These settings with the capacity left at 0 taken from a measurement. */
    public SchedulerSettings withMeasured(final long iops, final long bytesPerSec)
    {
        return new SchedulerSettings(sliceMs, capacityIops > 0 ? capacityIops : iops,
            capacityBytesPerSec > 0 ? capacityBytesPerSec : bytesPerSec, costs, paceSteps, measure);
    }

    /** Whether a capacity is to be measured: asked for, and not all of it configured. */
    public boolean measuresCapacity()
    {
        return measure.enabled() && (0 == capacityIops || 0 == capacityBytesPerSec);
    }

    /**
     * {@code nbd.qos.measure}: the storage under the first image directory measured once, when the
     * first disk opens ({@link CapacityProbe}).
     *
     * @param enabled   measure at all
     * @param seconds   each of the two runs (random 4 KiB reads, 1 MiB reads)
     * @param fileMiB   size of the scratch file
     * @param threads   readers at once
     */
    public record Measure(boolean enabled, int seconds, int fileMiB, int threads)
    {
        public static final Measure OFF = new Measure(false, 2, 256, 8);
    }

    /** Whether the device's capacity is shared out by reservation and weight (else only per-disk limits apply). */
    public boolean shared()
    {
        return capacityIops > 0 || capacityBytesPerSec > 0;
    }
}
