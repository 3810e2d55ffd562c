package io.vplane.blockstore.request;

/** Modifiers of a {@link BlockRequest}, as bits of {@link BlockRequest#flags()}. */
public final class BlockFlags
{
    /** WRITE, TRIM, WRITE_ZEROES: durable before completion (forced unit access). */
    public static final int FUA = 1;
    /** WRITE_ZEROES: the range must stay allocated (no hole punched). */
    public static final int NO_HOLE = 1 << 1;
    /** WRITE_ZEROES: fail with {@link BlockError#NOT_SUPPORTED} rather than write zeros slowly. */
    public static final int FAST_ZERO = 1 << 2;
    /** READ: answer with the data in one piece, holes included, not described extent by extent. */
    public static final int WHOLE_READ = 1 << 3;
    /** BLOCK_STATUS: report one extent only. */
    public static final int ONE_EXTENT = 1 << 4;

    private BlockFlags()
    {
    }
}
