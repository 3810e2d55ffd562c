/**
 * The per-disk wait and pending queues between the front ends and a disk's backend, the slice
 * scheduler that admits requests from one to the other by QoS (limits, reservation, weight), and
 * the cost every block command is charged.
 */
package io.vplane.blockstore.qos;
