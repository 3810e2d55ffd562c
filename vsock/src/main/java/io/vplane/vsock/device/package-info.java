/**
 * The virtio-vsock device over vhost-user: its queue on the vsock pool, streams and their credit,
 * the hybrid host socket, counters, and the {@code ctl vsock} / {@code /vsock} views.
 */
package io.vplane.vsock.device;
