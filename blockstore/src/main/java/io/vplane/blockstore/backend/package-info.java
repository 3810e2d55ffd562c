/**
 * Storage backends behind a virtual disk: the interface the blk workers call, the raw image file
 * backend (positional I/O, fallocate and SEEK_DATA/SEEK_HOLE through the FFM API), and the remote
 * NBD server as an asynchronous backend with a request timeout.
 */
package io.vplane.blockstore.backend;
