package io.vplane.blockstore.request;

/** What a block request asks of the disk. */
public enum BlockOp
{
    READ,
    WRITE,
    /** Make every completed write durable. */
    FLUSH,
    /** Advisory: the range's contents are no longer needed. */
    TRIM,
    /** The range reads back as zeros. */
    WRITE_ZEROES,
    /** Which parts of the range hold data and which are holes. */
    BLOCK_STATUS,
    /** Advisory: the range will be read soon. */
    CACHE
}
