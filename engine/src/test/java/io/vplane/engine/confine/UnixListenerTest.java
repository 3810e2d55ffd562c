package io.vplane.engine.confine;

import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Poll;
import io.vplane.engine.linux.Sockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnixListenerTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldAcceptAClientAndRemoveItsFileOnClose() throws Exception
    {
        final Path path = tmp.resolve("a.sock");
        try (UnixListener listener = UnixListener.bind(path, 4))
        {
            assertThat(Sockets.accept(listener.fd())).as("non-blocking: nobody yet").isNegative();
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path)))
            {
                assertThat(Poll.awaitReadable(listener.fd(), 5_000)).isPositive();
                final int accepted = Sockets.accept(listener.fd());
                assertThat(accepted).isNotNegative();
                FileIo.close(accepted);
            }
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void shouldReplaceAStaleSocketAndRefuseAFileOrALiveOne() throws Exception
    {
        final Path stale = tmp.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        final Path file = Files.writeString(tmp.resolve("vplane.yaml"), "precious");

        try (UnixListener listener = UnixListener.bind(stale, 4))
        {
            assertThat(listener.path()).isEqualTo(stale);
            assertThatThrownBy(() -> UnixListener.bind(stale, 4)).isInstanceOf(IOException.class).hasMessageContaining("in use");
        }
        assertThatThrownBy(() -> UnixListener.bind(file, 4)).isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(file).hasContent("precious");
    }

    @Test
    void shouldLeaveAHandedOverSocketOpenAndItsFileInPlace() throws Exception
    {
        final Path path = tmp.resolve("h.sock");
        final UnixListener listener = UnixListener.bind(path, 4);
        final int fd = listener.handOver();

        listener.close();

        assertThat(path).as("still listened on").exists();
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path)))
        {
            assertThat(client.isConnected()).isTrue();
        }
        FileIo.close(fd);
    }
}
