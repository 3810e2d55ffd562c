/**
 * Split virtqueues (virtio 1.2 §2.7): descriptor table, avail and used rings over guest memory,
 * descriptor chains with indirect tables, bounded and checked, with the spec's memory ordering.
 */
package io.vplane.virtio.virtq;
