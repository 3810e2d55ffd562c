/**
 * Device-neutral virtio, shared by every vhost-user device kind (net, vsock, later blk): guest
 * memory, split virtqueues, and the vhost-user protocol with its session.
 */
package io.vplane.virtio;
