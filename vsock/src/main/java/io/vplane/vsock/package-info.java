/** The vsock device kind: vhost-user-vsock devices whose host side is a hybrid-vsock Unix socket. */
package io.vplane.vsock;
