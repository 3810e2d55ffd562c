/**
 * Virtual disks as engine devices of type {@code blk}: the provider that opens them from the
 * {@code nbd} config section, their queues, and the executor that runs block requests on blk
 * workers (remote ones asynchronously, long ranges a slice at a time).
 */
package io.vplane.blockstore.device;
