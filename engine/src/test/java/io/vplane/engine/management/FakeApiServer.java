package io.vplane.engine.management;

import io.vplane.engine.counters.Counters;

import java.nio.file.Path;

/** The management API over a Unix socket in {@code dir}, answering from a {@link FakeManagementApi}. */
public final class FakeApiServer implements AutoCloseable
{
    public final FakeManagementApi api = new FakeManagementApi();
    public final String url;
    private final ManagementServer server;

    public FakeApiServer(final Path dir)
    {
        server = new ManagementServer(new ManagementListener.UnixSocket(dir.resolve("management.sock"), ""), api,
            Counters.inMemory(4).reader());
        url = server.start();
    }

    @Override
    public void close()
    {
        server.close();
    }
}
