package io.vplane.blockstore.management;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * An rbd:// disk whose cluster cannot be reached (or whose librbd is missing) stops the daemon's
 * start with the reason, and the workers already started stop with it, before the counters they
 * write go away.
 */
@Timeout(60)
class RbdDiskStartFailureTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFailTheStartWithTheReasonAndStopTheWorkers() throws Exception
    {
        final Path conf = dir.resolve("unreachable.conf");
        Files.writeString(conf, "[global]\nmon host = [v2:127.0.0.1:1]\nauth client required = none\n");

        final Throwable failed = catchThrowable(() -> new DaemonFixture(dir, """
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: far, image: "rbd://rbd/img?conf=%s&timeoutMs=1000", sizeBytes: 1048576, tenant: local}
            """.formatted(conf)));

        assertThat(failed).hasMessageContaining("disk far: cannot open image rbd://rbd/img");
        assertThat(rootCause(failed).getMessage()).containsAnyOf("rados_connect failed", "cannot load");
        Thread.sleep(200);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
            .noneMatch(name -> name.startsWith("worker-blk") || name.startsWith("worker-net"));
    }

    private static Throwable rootCause(final Throwable failed)
    {
        Throwable cause = failed;
        while (null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return cause;
    }
}
