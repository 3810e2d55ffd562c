package io.vplane.engine.confine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfinedDirectoryTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldResolveNamesInsideTheDirectories() throws Exception
    {
        final Path images = Files.createDirectory(tmp.resolve("images"));
        final Path more = Files.createDirectory(tmp.resolve("more"));
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(images.toString(), more.toString()));

        assertThat(confined.resolve("vm1.img")).isEqualTo(images.resolve("vm1.img"));
        assertThat(confined.resolve("sub/vm2.img")).isEqualTo(images.resolve("sub/vm2.img"));
        assertThat(confined.resolve(more.resolve("vm3.img").toString())).isEqualTo(more.resolve("vm3.img"));
    }

    @Test
    void shouldRefuseDotDotAbsolutePathsElsewhereAndTheDirectoryItself() throws Exception
    {
        final Path images = Files.createDirectory(tmp.resolve("images"));
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(images.toString()));

        assertThatThrownBy(() -> confined.resolve("../vplane.yaml")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> confined.resolve(images + "/sub/../../x")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> confined.resolve("/etc/shadow")).hasMessageContaining("outside the allowed directories");
        assertThatThrownBy(() -> confined.resolve(tmp.resolve("images-not").toString())).hasMessageContaining("outside");
        assertThatThrownBy(() -> confined.resolve(images.toString())).hasMessageContaining("outside");
    }

    @Test
    void shouldRefuseAPathThroughALinkPlantedInTheDirectory() throws Exception
    {
        final Path images = Files.createDirectory(tmp.resolve("images"));
        final Path secrets = Files.createDirectory(tmp.resolve("secrets"));
        Files.createSymbolicLink(images.resolve("escape"), secrets);
        Files.createSymbolicLink(images.resolve("vm1.img"), secrets.resolve("key"));
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(images.toString()));

        assertThatThrownBy(() -> confined.resolve("escape/key")).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> confined.resolve("vm1.img")).hasMessageContaining("symbolic link");
    }

    @Test
    void shouldAcceptADirectoryThatIsItselfALinkTheOperatorMade() throws Exception
    {
        final Path real = Files.createDirectory(tmp.resolve("real"));
        final Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(link.toString()));

        assertThat(confined.resolve("vm1.img")).isEqualTo(real.toRealPath().resolve("vm1.img"));
        assertThat(confined.resolve(link.resolve("vm1.img").toString())).isEqualTo(real.toRealPath().resolve("vm1.img"));
    }
}
