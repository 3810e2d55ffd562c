/**
 * The vhost-user protocol (QEMU docs/interop/vhost-user.rst): message flyweights, the Unix-socket
 * connection that carries fds with SCM_RIGHTS, and the backend's message dispatcher.
 */
package io.vplane.virtio.vhostuser;
