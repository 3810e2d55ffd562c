package io.vplane.blockstore.config;

/**
 * TLS for NBD (proto.md: "TLS support", NBD_OPT_STARTTLS). Empty certificate and key: no TLS offered.
 *
 * @param certificateFile PEM certificate chain of the server
 * @param privateKeyFile  PEM PKCS#8 private key of the server
 * @param clientCaFile    PEM CA certificates that sign client certificates; empty: client certificates not asked for
 */
public record NbdTlsConfig(String certificateFile, String privateKeyFile, String clientCaFile)
{
    public boolean enabled()
    {
        return !certificateFile.isEmpty();
    }
}
