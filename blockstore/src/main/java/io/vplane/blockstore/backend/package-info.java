/**
 * Storage backends behind a virtual disk: the interface the blk workers call and the raw image
 * file backend (positional I/O, fallocate and SEEK_DATA/SEEK_HOLE through the FFM API).
 */
package io.vplane.blockstore.backend;
