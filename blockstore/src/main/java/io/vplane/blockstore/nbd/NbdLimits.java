package io.vplane.blockstore.nbd;

import io.vplane.config.SettingRange;

/**
 * What one NBD client may hold of the server before it is refused, paused or dropped: the
 * {@code nbd.limits} section, read when the server starts.
 *
 * <p>Memory one connection can pin: the READ and WRITE data of its requests in flight, at most
 * {@code maxDataBytesInFlight} (or one request of up to 32 MiB when that alone is more), plus
 * replies written but not yet taken by the socket: up to {@code writeHighWaterBytes} before it
 * stops reading, plus the one batch that crossed the mark (at most the data in flight again),
 * plus one read pass of received buffers (16 reads of up to 64 KiB). With the defaults:
 * 128 + 4 + 128 + 1 MiB, about 261 MiB, whatever the client sends or fails to read.
 *
 * @param handshakeTimeoutMs       a client must reach the transmission phase within this (NBD proto.md leaves it to the server)
 * @param maxOptions               options one handshake may send; the next one ends it
 * @param maxOptionBytes           longer options are skipped with NBD_REP_ERR_TOO_BIG
 * @param maxConnections           connections open at once, all clients together
 * @param maxConnectionsPerClient  connections open at once from one client address
 * @param maxConnectionsPerExport  connections in the transmission phase on one export
 * @param maxDataBytesInFlight     READ and WRITE data of one connection's requests in flight; past it, reading pauses
 * @param writeHighWaterBytes      unsent reply bytes past which the connection stops reading requests
 * @param unwritableTimeoutMs      a peer that reads none of its replies for this long is dropped
 * @param zeroSliceBytes           a longer WRITE_ZEROES or TRIM runs a slice of this many bytes per poll of its worker
 */
public record NbdLimits(
    long handshakeTimeoutMs,
    int maxOptions,
    int maxOptionBytes,
    int maxConnections,
    int maxConnectionsPerClient,
    int maxConnectionsPerExport,
    long maxDataBytesInFlight,
    int writeHighWaterBytes,
    long unwritableTimeoutMs,
    long zeroSliceBytes)
{
    public static final SettingRange HANDSHAKE_TIMEOUT_MS = new SettingRange(100, 3_600_000);
    public static final SettingRange MAX_OPTIONS = new SettingRange(1, 65_536);
    /** At least one 4096-byte string (NBD proto.md) with its headers; at most what one handshake may buffer. */
    public static final SettingRange MAX_OPTION_BYTES = new SettingRange(1024, 16 << 20);
    public static final SettingRange MAX_CONNECTIONS = new SettingRange(1, 1 << 20);
    /** Reading pauses past the budget, but one request of up to 32 MiB is always taken. */
    public static final SettingRange MAX_DATA_BYTES_IN_FLIGHT = new SettingRange(1 << 20, 16L << 30);
    /** Netty's write buffer water mark is an int; the low mark is half the high one. */
    public static final SettingRange WRITE_HIGH_WATER_BYTES = new SettingRange(64 * 1024, 1 << 30);
    public static final SettingRange UNWRITABLE_TIMEOUT_MS = new SettingRange(100, 3_600_000);
    /** A slice is written in one call on the worker: small enough to keep other disks' waits short. */
    public static final SettingRange ZERO_SLICE_BYTES = new SettingRange(64 * 1024, 1 << 30);

    /** The defaults, also those of the {@code nbd.limits} section; after the ranges, which its constructor checks. */
    public static final NbdLimits DEFAULTS = new NbdLimits(10_000, 128, 64 * 1024, 4096, 256, 256, 128L << 20, 4 << 20,
        60_000, 16L << 20);

    public NbdLimits
    {
        HANDSHAKE_TIMEOUT_MS.check("handshakeTimeoutMs", handshakeTimeoutMs);
        MAX_OPTIONS.check("maxOptions", maxOptions);
        MAX_OPTION_BYTES.check("maxOptionBytes", maxOptionBytes);
        MAX_CONNECTIONS.check("maxConnections", maxConnections);
        MAX_CONNECTIONS.check("maxConnectionsPerClient", maxConnectionsPerClient);
        MAX_CONNECTIONS.check("maxConnectionsPerExport", maxConnectionsPerExport);
        MAX_DATA_BYTES_IN_FLIGHT.check("maxDataBytesInFlight", maxDataBytesInFlight);
        WRITE_HIGH_WATER_BYTES.check("writeHighWaterBytes", writeHighWaterBytes);
        UNWRITABLE_TIMEOUT_MS.check("unwritableTimeoutMs", unwritableTimeoutMs);
        ZERO_SLICE_BYTES.check("zeroSliceBytes", zeroSliceBytes);
    }
}
