/**
 * Virtual disks as engine devices of type {@code blk}: the provider that opens them from the
 * {@code nbd} config section, their queues, and the executor that runs requests on blk workers.
 */
package io.vplane.blockstore.device;
