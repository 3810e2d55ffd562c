package io.vplane.blockstore.management;

import io.vplane.engine.management.ManagementClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code /disk/create} tried as an API caller who wants another file, or another host, than a disk image. */
@Timeout(60)
class DiskPathConfinementTest extends OneDaemonTest
{
    private static final String SECRET = "not a disk image";

    @Test
    void shouldRefuseAnImageOutsideTheImageDirectories() throws Exception
    {
        final Path victim = Files.writeString(dir.resolve("victim"), SECRET);

        assertRefused("{\"name\":\"a\",\"size\":\"1M\",\"image\":\"../victim\"}", "'..'");
        assertRefused("{\"name\":\"b\",\"size\":\"1M\",\"image\":\"" + victim + "\"}", "outside the allowed directories");
        assertRefused("{\"name\":\"c\",\"size\":\"1M\",\"image\":\"/etc/passwd\"}", "outside the allowed directories");

        assertThat(victim).hasContent(SECRET);
        assertThat(fixture.api.get("/disk/list")).doesNotContain("\"a\"", "\"b\"", "\"c\"");
    }

    @Test
    void shouldRefuseAnImageThroughALinkPlantedInTheImageDirectory() throws Exception
    {
        final Path victim = Files.writeString(dir.resolve("victim"), SECRET);
        Files.createSymbolicLink(fixture.runDir.resolve("link.img"), victim);
        Files.createSymbolicLink(fixture.runDir.resolve("linkdir"), dir);

        assertRefused("{\"name\":\"a\",\"size\":\"1M\",\"image\":\"link.img\"}", "symbolic link");
        assertRefused("{\"name\":\"b\",\"size\":\"1M\",\"image\":\"linkdir/victim\"}", "symbolic link");

        assertThat(victim).hasContent(SECRET);
    }

    @Test
    void shouldNotConnectToARemoteBackendOffTheAllowList() throws Exception
    {
        try (ServerSocket elsewhere = new ServerSocket(0))
        {
            assertRefused("{\"name\":\"r\",\"size\":\"1M\",\"image\":\"nbd://127.0.0.1:" + elsewhere.getLocalPort() + "/x\"}",
                "daemon.remoteBackends");

            elsewhere.setSoTimeout(500);
            assertThatThrownBy(elsewhere::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    private void assertRefused(final String body, final String reason)
    {
        final ManagementClientException ex = catchThrowableOfType(ManagementClientException.class,
            () -> fixture.post("/disk/create", body));
        assertThat(ex).as(body + " was accepted").isNotNull();
        assertThat(ex.statusCode()).isEqualTo(400);
        assertThat(ex.getMessage()).contains(reason);
    }
}
