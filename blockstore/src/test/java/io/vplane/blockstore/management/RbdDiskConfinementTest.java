package io.vplane.blockstore.management;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Ceph's conf and keyring of an rbd:// disk are never taken from an image directory, where NBD clients write. */
class RbdDiskConfinementTest extends OneDaemonTest
{
    @Test
    void shouldRefuseAConfInsideTheImageDirectory()
    {
        final Throwable refused = catchThrowable(() -> fixture.post("/disk/create",
            "{\"name\":\"r1\",\"size\":\"1M\",\"image\":\"rbd://rbd/img?conf=" + fixture.runDir.resolve("evil.conf") + "\"}"));

        assertThat(refused).hasMessageContaining("evil.conf is inside the image directory").hasMessageContaining("keep Ceph's conf");
    }

    @Test
    void shouldRefuseAKeyringInsideTheImageDirectoryAndAMalformedUri()
    {
        final Throwable keyring = catchThrowable(() -> fixture.post("/disk/create",
            "{\"name\":\"r2\",\"size\":\"1M\",\"image\":\"rbd://rbd/img?keyring=" + fixture.runDir.resolve("k") + "\"}"));
        final Throwable malformed = catchThrowable(() -> fixture.post("/disk/create",
            "{\"name\":\"r3\",\"size\":\"1M\",\"image\":\"rbd://rbd\"}"));

        assertThat(keyring).hasMessageContaining("is inside the image directory");
        assertThat(malformed).hasMessageContaining("needs a pool and an image");
    }
}
