package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NBD proto.md, NBD_OPT_STARTTLS: the server forgets the negotiation state from before TLS. A
 * man in the middle can inject NBD_OPT_STRUCTURED_REPLY in clear; the TLS session must not
 * inherit it.
 */
class StartTlsResetTest
{
    @TempDir
    Path dir;

    @Test
    void shouldForgetStructuredRepliesNegotiatedBeforeStartTls() throws Exception
    {
        final Counters counters = Counters.inMemory(256);
        final NbdConnection connection = new NbdConnection(new NoExports(),
            NbdServerMetrics.allocate(counters, new ErrorLog(counters)), serverTls());
        final EmbeddedChannel channel = new EmbeddedChannel(connection);
        release(channel.readOutbound()); // greeting

        channel.writeInbound(Unpooled.buffer().writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE));
        channel.writeInbound(option(NbdProtocol.OPT_STRUCTURED_REPLY));
        release(channel.readOutbound());
        assertThat(connection.structuredReplies()).isTrue();

        channel.writeInbound(option(NbdProtocol.OPT_STARTTLS));

        assertThat(connection.structuredReplies()).isFalse();
        assertThat(connection.metaContextExport).isNull();
        channel.finishAndReleaseAll();
    }

    private static ByteBuf option(final int option)
    {
        return Unpooled.buffer().writeLong(NbdProtocol.IHAVEOPT).writeInt(option).writeInt(0);
    }

    private static void release(final Object message)
    {
        if (message instanceof final ByteBuf buffer)
        {
            buffer.release();
        }
    }

    private SslContext serverTls() throws Exception
    {
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj",
            "/CN=127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return SslContextBuilder.forServer(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile()).build();
    }

    private static final class NoExports implements ExportDirectory
    {
        @Override
        public Export find(final String name, final InetAddress client)
        {
            return null;
        }

        @Override
        public List<Export> visibleTo(final InetAddress client)
        {
            return List.of();
        }
    }
}
