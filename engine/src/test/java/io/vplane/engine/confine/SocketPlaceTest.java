package io.vplane.engine.confine;

import io.vplane.engine.linux.FileAt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A socket directory whose components an attacker swaps for links around the bind. */
class SocketPlaceTest
{
    private static final String SECRET = "not a socket";

    @TempDir
    Path tmp;
    private Path sockets;
    private Path outside;

    @BeforeEach
    void setUp() throws Exception
    {
        assumeTrue(FileAt.openat2().isAvailable(), "the kernel has no openat2: only the name check applies");
        sockets = Files.createDirectory(tmp.resolve("sockets"));
        outside = Files.createDirectory(tmp.resolve("elsewhere"));
    }

    @Test
    void shouldRefuseASocketDirectoryThatIsALinkOnTheWay() throws Exception
    {
        Files.createSymbolicLink(sockets.resolve("vm1"), outside);

        assertThatThrownBy(() -> SocketPlace.open(sockets.resolve("vm1/port.sock"))).hasMessageContaining("symbolic link");
    }

    @Test
    void shouldBindInTheHeldDirectoryEvenWhenItIsSwappedForALinkAfterTheCheck() throws Exception
    {
        Files.createDirectory(sockets.resolve("vm1"));
        try (SocketPlace place = SocketPlace.open(sockets.resolve("vm1/port.sock")))
        {
            Files.move(sockets.resolve("vm1"), sockets.resolve("vm1.moved"));
            Files.createSymbolicLink(sockets.resolve("vm1"), outside);

            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
            {
                server.bind(UnixDomainSocketAddress.of(place.bindName()));
                assertThat(sockets.resolve("vm1.moved/port.sock")).exists();
                assertThat(outside.resolve("port.sock")).doesNotExist();
            }
        }
    }

    @Test
    void shouldNotRemoveAFileOrALinkNamedAsTheSocket() throws Exception
    {
        final Path victim = Files.writeString(outside.resolve("victim"), SECRET);
        Files.writeString(sockets.resolve("file.sock"), SECRET);
        Files.createSymbolicLink(sockets.resolve("link.sock"), victim);

        try (SocketPlace file = SocketPlace.open(sockets.resolve("file.sock"));
            SocketPlace link = SocketPlace.open(sockets.resolve("link.sock")))
        {
            assertThatThrownBy(file::removeIfStale).hasMessageContaining("not a socket");
            assertThatThrownBy(link::removeIfStale).hasMessageContaining("not a socket");
        }
        assertThat(sockets.resolve("file.sock")).hasContent(SECRET);
        assertThat(sockets.resolve("link.sock")).isSymbolicLink();
        assertThat(victim).hasContent(SECRET);
    }

    @Test
    void shouldRemoveAStaleSocketOfItsOwnAndRefuseOneInUse() throws Exception
    {
        try (SocketPlace place = SocketPlace.open(sockets.resolve("port.sock")))
        {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
            {
                server.bind(UnixDomainSocketAddress.of(place.bindName()));
                assertThatThrownBy(place::removeIfStale).hasMessageContaining("in use");
            }
            assertThat(sockets.resolve("port.sock")).exists();
            place.removeIfStale();
            assertThat(sockets.resolve("port.sock")).doesNotExist();
        }
    }
}
