package io.vplane.blockstore.nbd;

/**
 * What one NBD client may hold of the server before it is refused, paused or dropped.
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
    long unwritableTimeoutMs)
{
    public static final NbdLimits DEFAULTS = new NbdLimits(10_000, 128, 64 * 1024, 4096, 256, 256, 128L << 20, 4 << 20,
        60_000);

    public NbdLimits
    {
        if (handshakeTimeoutMs <= 0 || maxOptions <= 0 || maxOptionBytes < 1024 || maxConnections <= 0 ||
            maxConnectionsPerClient <= 0 || maxConnectionsPerExport <= 0 || maxDataBytesInFlight <= 0 ||
            writeHighWaterBytes <= 0 ||
            unwritableTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("NBD limits must be positive (maxOptionBytes at least 1024): " + this);
        }
    }
}
