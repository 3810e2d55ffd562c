/**
 * Disk image formats read by the daemon itself: qcow2 (versions 2 and 3, backing chains, zero and
 * zlib-compressed clusters) and raw, each image checked against its own file before any read, for
 * serving read-only and as the source of an online conversion.
 */
package io.vplane.blockstore.image;
