/**
 * The vhost-user net port: an engine {@code net} device whose queues are the virtqueues of a
 * virtio-net frontend (a VM or DPDK virtio-user), with a sink, a loopback and a frame source.
 */
package io.vplane.nic.port;
