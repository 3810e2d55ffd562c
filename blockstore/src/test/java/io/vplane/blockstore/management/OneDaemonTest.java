package io.vplane.blockstore.management;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A daemon with tenant {@code local} and the 1 MiB disk {@code base} ({@link DaemonFixture#BASE}), started before each test. */
public abstract class OneDaemonTest
{
    @TempDir
    protected Path dir;
    protected DaemonFixture fixture;

    @BeforeEach
    void startDaemon()
    {
        fixture = DaemonFixture.withBaseDisk(dir);
    }

    @AfterEach
    void stopDaemon()
    {
        fixture.close();
    }
}
