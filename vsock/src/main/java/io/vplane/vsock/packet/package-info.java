/**
 * The virtio-vsock wire format (virtio 1.2 §5.10): the packet header, its ops and flags, and the
 * hybrid-vsock handshake line of the host side.
 */
package io.vplane.vsock.packet;
