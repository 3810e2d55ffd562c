package io.vplane.blockstore.qos;

/**
 * The QoS of one disk ({@code nbd.disks[].qos}). Rates are per second; 0 means no limit (or no
 * reservation). A disk with no limit at all and no device capacity configured is not scheduled.
 *
 * @param readIops               ceiling on read operations (READ, BLOCK_STATUS, CACHE)
 * @param writeIops              ceiling on write operations (WRITE, FLUSH, TRIM, WRITE_ZEROES)
 * @param readBytesPerSec        ceiling on bytes read
 * @param writeBytesPerSec       ceiling on bytes written (with the configured costs of the other commands)
 * @param burstMs                unused allowance kept for later, as milliseconds of each limit; 0: one slice
 * @param reservationIops        operations the disk always gets, read and write together, when it asks for them
 * @param reservationBytesPerSec bytes the disk always gets, read and write together, when it asks for them
 * @param weight                 share of the device capacity left over after the reservations, against other disks' weights
 */
public record DiskQos(long readIops, long writeIops, long readBytesPerSec, long writeBytesPerSec, long burstMs,
    long reservationIops, long reservationBytesPerSec, int weight)
{
    public static final int DEFAULT_WEIGHT = 100;
    public static final DiskQos UNLIMITED = new DiskQos(0, 0, 0, 0, 0, 0, 0, DEFAULT_WEIGHT);

    /** Whether any ceiling applies. */
    public boolean limited()
    {
        return readIops > 0 || writeIops > 0 || readBytesPerSec > 0 || writeBytesPerSec > 0;
    }

    /** The ceiling of one {@link QosDimension}, per second; 0: none. */
    public long limit(final int dimension)
    {
        return switch (dimension)
        {
            case QosDimension.READ_OPS -> readIops;
            case QosDimension.WRITE_OPS -> writeIops;
            case QosDimension.READ_BYTES -> readBytesPerSec;
            default -> writeBytesPerSec;
        };
    }

    /** One line for logs and {@code ctl disk qos}. */
    public String describe()
    {
        return "readIops=" + readIops + " writeIops=" + writeIops + " readBytesPerSec=" + readBytesPerSec +
            " writeBytesPerSec=" + writeBytesPerSec + " burstMs=" + burstMs + " reservationIops=" + reservationIops +
            " reservationBytesPerSec=" + reservationBytesPerSec + " weight=" + weight;
    }
}
