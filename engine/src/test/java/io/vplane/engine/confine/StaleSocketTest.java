package io.vplane.engine.confine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaleSocketTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldRemoveASocketNobodyListensOn() throws Exception
    {
        final Path socket = tmp.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists(); // closing a listener leaves its file

        StaleSocket.removeIfStale(socket);

        assertThat(socket).doesNotExist();
    }

    @Test
    void shouldNeverRemoveAFileALinkOrALiveSocket() throws Exception
    {
        final Path file = Files.writeString(tmp.resolve("vplane.yaml"), "precious");
        final Path link = Files.createSymbolicLink(tmp.resolve("link.sock"), file);
        final Path live = tmp.resolve("live.sock");

        assertThatThrownBy(() -> StaleSocket.removeIfStale(file)).hasMessageContaining("not a socket");
        assertThatThrownBy(() -> StaleSocket.removeIfStale(link)).hasMessageContaining("not a socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(live));
            assertThatThrownBy(() -> StaleSocket.removeIfStale(live)).hasMessageContaining("in use");
        }
        assertThat(file).hasContent("precious");
        assertThat(link).isSymbolicLink();
    }
}
