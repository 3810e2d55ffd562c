package io.vplane.blockstore.backend;

import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.linux.FileAt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An image directory's intermediate directory swapped for a link between the config check and the open. */
class RawFileBackendSwapTest
{
    private static final String SECRET = "root:x:0:0:root:/root:/bin/bash\n";

    @TempDir
    Path tmp;

    @Test
    void shouldNotOpenOrCreateAnImageThroughADirectorySwappedForALink() throws Exception
    {
        assumeTrue(FileAt.openat2().isAvailable(), "the kernel has no openat2: only the name check applies");
        final Path images = Files.createDirectory(tmp.resolve("images"));
        final Path outside = Files.createDirectory(tmp.resolve("etc"));
        Files.writeString(outside.resolve("vm.img"), SECRET);
        Files.createDirectory(images.resolve("tenant"));
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(images.toString()));
        final Path existing = confined.resolve("tenant/vm.img");
        final Path created = confined.resolve("tenant/new.img");

        Files.move(images.resolve("tenant"), images.resolve("tenant.moved"));
        Files.createSymbolicLink(images.resolve("tenant"), outside);

        assertThatThrownBy(() -> RawFileBackend.open(confined, existing, 4096, false)).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> RawFileBackend.open(confined, created, 4096, false)).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("vm.img")).hasContent(SECRET);
        assertThat(outside.resolve("new.img")).doesNotExist();
    }

    @Test
    void shouldServeTheOpenedFileThroughItsChannelAndDescriptor() throws Exception
    {
        final Path images = Files.createDirectory(tmp.resolve("images"));
        final ConfinedDirectory confined = new ConfinedDirectory("disk image", List.of(images.toString()));
        try (RawFileBackend backend = RawFileBackend.open(confined, confined.resolve("vm.img"), 8192, false))
        {
            backend.write(4096, ByteBuffer.wrap("hello".getBytes()));
            backend.flush();
            final ByteBuffer back = ByteBuffer.allocate(5);
            backend.read(4096, back);
            assertThat(new String(back.array())).isEqualTo("hello");
            assertThat(backend.sizeBytes()).isEqualTo(8192);
        }
        assertThat(Files.getPosixFilePermissions(images.resolve("vm.img")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }
}
