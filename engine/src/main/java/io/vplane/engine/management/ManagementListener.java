package io.vplane.engine.management;

import java.nio.file.Path;

/**
 * Where the management API listens. The Unix socket is the default: the file's mode and group
 * decide who may call, and the kernel names each caller (SO_PEERCRED). TCP is opt-in and then
 * every request must carry the bearer token.
 */
public sealed interface ManagementListener
{
    /**
     * @param path  the socket file, created by the server (mode 0660)
     * @param group group the socket file is given; empty keeps the daemon's own
     */
    record UnixSocket(Path path, String group) implements ManagementListener
    {
    }

    /**
     * @param bindAddress address to listen on
     * @param port        TCP port; 0 picks a free one
     * @param token       what every request must send as {@code Authorization: Bearer …}
     * @param tls         certificate and key for HTTPS, or null for plain HTTP
     */
    record Tcp(String bindAddress, int port, BearerToken token, TlsFiles tls) implements ManagementListener
    {
    }

    /**
     * @param certFile PEM certificate chain
     * @param keyFile  PEM PKCS#8 private key
     */
    record TlsFiles(Path certFile, Path keyFile)
    {
    }
}
