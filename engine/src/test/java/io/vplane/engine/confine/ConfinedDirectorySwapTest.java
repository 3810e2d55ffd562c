package io.vplane.engine.confine;

import io.vplane.engine.linux.FileAt;
import io.vplane.engine.linux.FileIo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An attacker who may write inside the image directory: the name passes the check, then a
 * component is swapped before the daemon opens or deletes it. Nothing outside may be reached.
 */
class ConfinedDirectorySwapTest
{
    private static final String SECRET = "root:x:0:0:root:/root:/bin/bash\n";

    @TempDir
    Path tmp;
    private Path images;
    private Path outside;
    private ConfinedDirectory confined;

    @BeforeEach
    void setUp() throws Exception
    {
        assumeTrue(FileAt.openat2().isAvailable(), "the kernel has no openat2: only the name check applies");
        images = Files.createDirectory(tmp.resolve("images"));
        outside = Files.createDirectory(tmp.resolve("etc"));
        Files.writeString(outside.resolve("vm.img"), SECRET);
        Files.writeString(outside.resolve("passwd"), SECRET);
        confined = new ConfinedDirectory("disk image", List.of(images.toString()));
    }

    @Test
    void shouldRefuseALinkSwappedInForAnIntermediateDirectoryAfterTheCheck() throws Exception
    {
        Files.createDirectory(images.resolve("sub"));
        Files.writeString(images.resolve("sub/vm.img"), "image");
        final Path checked = confined.resolve("sub/vm.img");
        final Path toCreate = confined.resolve("sub/new.img");

        swapForLink(images.resolve("sub"), outside);

        // O_NOFOLLOW guards the last component only: a plain open of the checked path reaches outside.
        final int byPath = FileIo.open(checked.toString(), FileIo.O_RDONLY | FileIo.O_NOFOLLOW);
        assertThat(byPath).isNotNegative();
        FileIo.close(byPath);

        assertThatThrownBy(() -> confined.open(checked, FileIo.O_RDWR, 0)).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> confined.open(toCreate, FileIo.O_RDWR | FileIo.O_CREAT | FileIo.O_EXCL, 0600))
            .hasMessageContaining("symbolic link");
        assertThat(outside.resolve("vm.img")).hasContent(SECRET);
        assertThat(outside.resolve("new.img")).doesNotExist();
    }

    @Test
    void shouldNotCreateDirectoriesThroughALinkPlantedAfterTheCheck() throws Exception
    {
        final Path checked = confined.resolve("sub/deeper/vm.img");

        Files.createSymbolicLink(images.resolve("sub"), outside);

        assertThatThrownBy(() -> confined.createParents(checked)).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("deeper")).doesNotExist();
    }

    @Test
    void shouldCreateTheMissingDirectoriesOfAName() throws Exception
    {
        final Path checked = confined.resolve("a/b/vm.img");

        confined.createParents(checked);

        assertThat(images.resolve("a/b")).isDirectory();
    }

    @Test
    void shouldRefuseToCreateAnImageNamedWithDotDot()
    {
        assertThatThrownBy(() -> confined.resolve("../etc/new.img")).hasMessageContaining("'..'");
        // Even a name that slipped past the check: the kernel refuses to leave the directory.
        assertThatThrownBy(() -> confined.open(images.resolve("../etc/new.img"),
            FileIo.O_RDWR | FileIo.O_CREAT | FileIo.O_EXCL, 0600)).hasMessageContaining("outside");
        assertThat(outside.resolve("new.img")).doesNotExist();
    }

    @Test
    void shouldRefuseAnImageSwappedForALinkToAFileOutside() throws Exception
    {
        Files.writeString(images.resolve("vm.img"), "image");
        final Path checked = confined.resolve("vm.img");

        swapForLink(images.resolve("vm.img"), outside.resolve("passwd"));

        assertThatThrownBy(() -> confined.open(checked, FileIo.O_RDWR, 0)).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("passwd")).hasContent(SECRET);
    }

    @Test
    void shouldRefuseADeletionWhoseTargetWasSwappedForALink() throws Exception
    {
        Files.writeString(images.resolve("vm.img"), "image");
        final Path checked = confined.resolve("vm.img");

        swapForLink(images.resolve("vm.img"), outside.resolve("passwd"));

        assertThatThrownBy(() -> confined.deleteRegularFile(checked)).hasMessageContaining("not a regular file");
        assertThat(outside.resolve("passwd")).hasContent(SECRET);
        assertThat(images.resolve("vm.img")).isSymbolicLink();
    }

    @Test
    void shouldRefuseADeletionThroughADirectorySwappedForALink() throws Exception
    {
        Files.createDirectory(images.resolve("sub"));
        Files.writeString(images.resolve("sub/vm.img"), "image");
        final Path checked = confined.resolve("sub/vm.img");

        swapForLink(images.resolve("sub"), outside);

        assertThatThrownBy(() -> confined.deleteRegularFile(checked)).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("vm.img")).hasContent(SECRET);
    }

    @Test
    void shouldOpenAndDeleteAnImageThatStayedPut() throws Exception
    {
        final Path created = confined.resolve("sub/vm.img");
        Files.createDirectory(images.resolve("sub"));
        final int fd = confined.open(created, FileIo.O_RDWR | FileIo.O_CREAT | FileIo.O_EXCL, 0600);
        FileIo.close(fd);

        assertThat(created).isRegularFile();
        assertThat(confined.deleteRegularFile(created)).isTrue();
        assertThat(created).doesNotExist();
        assertThat(confined.deleteRegularFile(created)).isFalse();
    }

    /** What an attacker does between the check and the use: the entry becomes a link elsewhere. */
    private void swapForLink(final Path entry, final Path target) throws Exception
    {
        Files.move(entry, entry.resolveSibling(entry.getFileName() + ".moved"));
        Files.createSymbolicLink(entry, target);
    }
}
