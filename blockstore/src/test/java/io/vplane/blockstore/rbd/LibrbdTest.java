package io.vplane.blockstore.rbd;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LibrbdTest
{
    @Test
    void shouldNameTheMissingLibraryAndItsPackageInsteadOfFailingTheDaemon()
    {
        assertThatThrownBy(() -> Librbd.load("librados-missing.so.2", Librbd.RBD_LIBRARY))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("cannot load librados-missing.so.2 for rbd:// disks")
            .hasMessageContaining("apt-get install librbd1");
    }
}
