package io.vplane.nic.port;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** What the uplink interop tests share: they need root (TAP devices, namespaces) and a directory of their own. */
abstract class RootNetworkTest
{
    @TempDir
    Path dir;

    @BeforeAll
    static void needsRoot()
    {
        final String why = HostNetwork.whyNot();
        Assumptions.assumeTrue(null == why, "uplink interop test skipped: " + why);
    }
}
