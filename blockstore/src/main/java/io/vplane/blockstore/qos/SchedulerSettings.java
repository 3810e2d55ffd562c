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
 */
public record SchedulerSettings(int sliceMs, long capacityIops, long capacityBytesPerSec, QosCosts costs, int paceSteps)
{
    public static final int SLICE_MS = 10;
    public static final int PACE_STEPS = 4;
    public static final SchedulerSettings DEFAULTS = new SchedulerSettings(SLICE_MS, 0, 0, QosCosts.DEFAULTS, PACE_STEPS);

    /** Whether the device's capacity is shared out by reservation and weight (else only per-disk limits apply). */
    public boolean shared()
    {
        return capacityIops > 0 || capacityBytesPerSec > 0;
    }
}
