package io.vplane.engine.confine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Files and links are refused in {@link SocketPlaceTest}; here, sockets with and without a listener. */
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

        try (SocketPlace place = SocketPlace.open(socket))
        {
            place.removeIfStale();
        }

        assertThat(socket).doesNotExist();
    }

    @Test
    void shouldNeverRemoveALiveSocket() throws Exception
    {
        final Path live = tmp.resolve("live.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             SocketPlace place = SocketPlace.open(live))
        {
            server.bind(UnixDomainSocketAddress.of(live));
            assertThatThrownBy(place::removeIfStale).hasMessageContaining("in use");
        }
    }
}
