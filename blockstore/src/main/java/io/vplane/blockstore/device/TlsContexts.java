package io.vplane.blockstore.device;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vplane.blockstore.config.NbdTlsConfig;

import java.io.File;
import java.io.IOException;

/** Builds the server's TLS context from the {@code nbd.tls} settings. */
final class TlsContexts
{
    private TlsContexts()
    {
    }

    /** @return the context, or null when TLS is not configured */
    static SslContext server(final NbdTlsConfig tls) throws IOException
    {
        if (!tls.enabled())
        {
            return null;
        }
        final SslContextBuilder builder = SslContextBuilder.forServer(
            new File(tls.certificateFile()), new File(tls.privateKeyFile()));
        if (!tls.clientCaFile().isEmpty())
        {
            builder.trustManager(new File(tls.clientCaFile())).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build();
    }
}
