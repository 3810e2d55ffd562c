package io.vplane.config;

/**
 * @param enabled     whether the HTTP management API runs
 * @param socketGroup group given the API's Unix socket (mode 0660) and the run directory (0750);
 *                    empty: the daemon's own group, and the run directory stays 0700
 * @param tcp         whether the API also listens on TCP (opt-in; then a bearer token is required)
 * @param bindAddress address the TCP listener binds to
 * @param httpPort    TCP port; 0 picks a free one (the chosen URL is written to the run directory)
 * @param tokenFile   file holding the bearer token TCP callers must send; mode 0600; required with tcp
 * @param tlsCertFile PEM certificate chain for HTTPS on TCP; empty: plain HTTP
 * @param tlsKeyFile  PEM PKCS#8 private key of that certificate
 */
public record ManagementConfig(
    boolean enabled,
    String socketGroup,
    boolean tcp,
    String bindAddress,
    int httpPort,
    String tokenFile,
    String tlsCertFile,
    String tlsKeyFile)
{
    /** Whether TCP callers are served over TLS. */
    public boolean tls()
    {
        return !tlsCertFile.isEmpty();
    }
}
