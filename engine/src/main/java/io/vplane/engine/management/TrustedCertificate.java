package io.vplane.engine.management;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * A TLS context for a client that trusts the daemon's own certificate (often self-signed) and
 * nothing else, so {@code vplane ctl} over HTTPS needs no change to the system's trust store.
 */
public final class TrustedCertificate
{
    private TrustedCertificate()
    {
    }

    /** @param pemFile the certificate (chain) the daemon serves */
    public static SSLContext sslContext(final Path pemFile)
    {
        try (InputStream in = Files.newInputStream(pemFile))
        {
            final KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                trust.setCertificateEntry("vplane-" + i++, certificate);
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        }
        catch (final IOException | GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot load the management API's certificate " + pemFile + ": " + ex.getMessage(), ex);
        }
    }
}
