package io.vplane.blockstore.interop;

import io.vplane.blockstore.device.NbdFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A vplane NBD server with one disk {@code vm} of {@link #diskSize()} bytes, started before each peer test. */
abstract class OneDiskPeerTest
{
    @TempDir
    Path dir;
    NbdFixture fixture;

    abstract long diskSize();

    @BeforeEach
    void startServer()
    {
        fixture = NbdFixture.oneDisk(dir.resolve("run"), "vm", diskSize());
    }

    @AfterEach
    void stopServer()
    {
        fixture.close();
    }
}
