package io.vplane.vsock.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's CLI runtime over a real container engine: {@code docker} by default, another with
 * {@code -Dvplane.it.cli=podman}; the image ({@code -Dvplane.it.image}, default {@code busybox})
 * must be there already: the test pulls nothing. Skips, printing why, where no engine answers
 * {@code info} or the image is missing; CI installs neither (a daemon and an image registry are
 * too heavy a peer), so there it says so.
 */
@Timeout(180)
class CliRuntimeIT
{
    private static final String CLI = System.getProperty("vplane.it.cli", "docker");
    private static final String IMAGE = System.getProperty("vplane.it.image", "busybox");

    @TempDir
    Path dir;

    private CliRuntime runtime;

    @BeforeEach
    void needEngineAndImage() throws Exception
    {
        runtime = new CliRuntime(CLI, dir, IMAGE, List.of("sleep", "2147483647"));
        skipUnless(() -> runtime.info(), "no container engine answers '" + CLI + " info'");
        skipUnless(() -> HostCommand.run(60, List.of(CLI, "image", "inspect", "--format", "{{.Id}}", IMAGE)),
            "the image " + IMAGE + " is not there (the test pulls nothing; set -Dvplane.it.image)");
    }

    private static void skipUnless(final java.util.function.Supplier<String> check, final String reason)
    {
        try
        {
            check.get();
        }
        catch (final IllegalStateException ex)
        {
            System.out.println("CliRuntimeIT skipped: " + reason + ": " + ex.getMessage());
            Assumptions.abort(reason + ": " + ex.getMessage());
        }
    }

    @AfterEach
    void removeContainers()
    {
        if (null != runtime)
        {
            try
            {
                runtime.scale("web", 0);
            }
            catch (final IllegalStateException ignore)
            {
                // no engine: nothing was started
            }
        }
    }

    @Test
    void shouldRunScaleAndLimitContainersThroughTheEnginesCommandLine()
    {
        runtime.memory("web", 32L << 20);
        runtime.storage("web", 2L << 20);
        runtime.scale("web", 2);
        assertThat(runtime.containers("web")).containsExactly(1, 2);
        assertThat(runtime.inspect("web", 2, "{{.HostConfig.Memory}}")).isEqualTo(Long.toString(32L << 20));
        assertThat(runtime.exec("web", 1, "cat", "/proc/mounts").lines().filter(l -> l.contains(" /data ")).findFirst().orElseThrow())
            .contains("size=2048k");

        runtime.memory("web", 48L << 20);
        assertThat(runtime.inspect("web", 1, "{{.HostConfig.Memory}}")).isEqualTo(Long.toString(48L << 20));
        runtime.storage("web", 4L << 20);
        assertThat(runtime.exec("web", 2, "cat", "/proc/mounts")).contains("size=4096k");

        runtime.scale("web", 1);
        assertThat(runtime.containers("web")).containsExactly(1);
        assertThatThrownBy(() -> runtime.scale("../etc", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
