package io.vplane.engine.confine;

import io.vplane.config.ConfigDefaults;
import io.vplane.config.DaemonConfig;
import io.vplane.config.LogLevel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultDirectoriesTest
{
    private final DaemonConfig defaults = ConfigDefaults.daemon();

    @Test
    void shouldUseTheSystemDirectoriesAsRoot()
    {
        final DaemonConfig root = DefaultDirectories.conclude(defaults, true, Map.of("XDG_RUNTIME_DIR", "/run/user/0"));

        assertThat(root.runDir()).isEqualTo("/run/vplane");
        assertThat(root.stateDir()).isEqualTo("/var/lib/vplane");
        assertThat(root.imageDirs()).containsExactly("/var/lib/vplane/images");
        assertThat(root.socketDir()).isEqualTo("/run/vplane");
    }

    @Test
    void shouldUseTheUsersOwnDirectoriesOtherwiseAndNeverTmp()
    {
        final DaemonConfig user = DefaultDirectories.conclude(defaults, false,
            Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "XDG_STATE_HOME", "/home/u/.local/state"));

        assertThat(user.runDir()).isEqualTo("/run/user/1000/vplane");
        assertThat(user.stateDir()).isEqualTo("/home/u/.local/state/vplane");
        assertThatThrownBy(() -> DefaultDirectories.conclude(defaults, false, Map.of())).hasMessageContaining("daemon.runDir");
    }

    @Test
    void shouldUseTheDirectoriesSystemdMadeForTheService()
    {
        final DaemonConfig service = DefaultDirectories.conclude(defaults, false,
            Map.of("RUNTIME_DIRECTORY", "/run/vplane", "STATE_DIRECTORY", "/var/lib/vplane:/var/lib/vplane/images"));

        assertThat(service.runDir()).isEqualTo("/run/vplane");
        assertThat(service.stateDir()).isEqualTo("/var/lib/vplane");
        assertThat(service.imageDirs()).containsExactly("/var/lib/vplane/images");
    }

    @Test
    void shouldKeepWhatTheConfigSays()
    {
        final DaemonConfig given = new DaemonConfig("/srv/run", 1, LogLevel.INFO, "/srv/state", List.of("/srv/images"), "/srv/sockets",
            List.of("10.0.0.5:10809"));

        assertThat(DefaultDirectories.conclude(given, true, Map.of())).isEqualTo(given);
    }
}
