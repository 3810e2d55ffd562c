package io.vplane.vsock.config;

import java.util.Locale;

/**
 * How the host reaches one VM's agent.
 *
 * @param name       the VM's name, as {@code vplane ctl container ... VM} names it
 * @param transport  the protocol for the VM's interface kind
 * @param device     with {@code vsock-user}: the VM's vsock device (devices.vsock)
 * @param port       with {@code vsock-user} and {@code vsock}: the guest port the agent listens on; with {@code tcp}: the TCP port
 * @param address    with {@code tcp}: the agent's host name or address
 * @param path       with {@code unix}: the agent's socket path
 * @param cid        with {@code vsock}: the guest's context id (its vhost-vsock {@code guest-cid})
 * @param secretFile the VM's shared secret (owner-only file, 16 bytes or more)
 */
public record ControlVmConfig(String name, Transport transport, String device, int port, String address, String path, long cid, String secretFile)
{
    /** The interface kind of the VM, and so the protocol. */
    public enum Transport
    {
        /** Through the VM's vhost-user-vsock device served by this daemon. */
        VSOCK_USER,
        /** AF_VSOCK to the guest's CID: a VM whose vsock is the host kernel's vhost-vsock. */
        VSOCK,
        TCP,
        UNIX;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
