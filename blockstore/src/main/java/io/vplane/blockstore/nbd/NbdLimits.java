package io.vplane.blockstore.nbd;

/**
 * What one NBD client may hold of the server before it is refused or dropped. With the defaults a
 * connection pins at most {@link NbdConnection#REQUEST_SLOTS} requests of 32 MiB on the way in plus
 * {@code writeHighWaterBytes} of unsent replies and one reply batch past it (up to 128 READ
 * replies of 32 MiB when the peer reads nothing, see {@link NbdConnection}).
 *
 * @param handshakeTimeoutMs       a client must reach the transmission phase within this (NBD proto.md leaves it to the server)
 * @param maxOptions               options one handshake may send; the next one ends it
 * @param maxOptionBytes           longer options are skipped with NBD_REP_ERR_TOO_BIG
 * @param maxConnections           connections open at once, all clients together
 * @param maxConnectionsPerClient  connections open at once from one client address
 * @param maxConnectionsPerExport  connections in the transmission phase on one export
 * @param writeHighWaterBytes      unsent reply bytes past which the connection stops reading requests
 * @param unwritableTimeoutMs      a peer that reads none of its replies for this long is dropped
 */
public record NbdLimits(
    long handshakeTimeoutMs,
    int maxOptions,
    int maxOptionBytes,
    int maxConnections,
    int maxConnectionsPerClient,
    int maxConnectionsPerExport,
    int writeHighWaterBytes,
    long unwritableTimeoutMs)
{
    public static final NbdLimits DEFAULTS = new NbdLimits(10_000, 128, 64 * 1024, 4096, 256, 256, 4 << 20, 60_000);

    public NbdLimits
    {
        if (handshakeTimeoutMs <= 0 || maxOptions <= 0 || maxOptionBytes < 1024 || maxConnections <= 0 ||
            maxConnectionsPerClient <= 0 || maxConnectionsPerExport <= 0 || writeHighWaterBytes <= 0 ||
            unwritableTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("NBD limits must be positive (maxOptionBytes at least 1024): " + this);
        }
    }
}
