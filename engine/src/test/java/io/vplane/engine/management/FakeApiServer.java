package io.vplane.engine.management;

import io.vplane.engine.counters.Counters;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A JUnit extension: for each test, the management API on a Unix socket in a fresh directory,
 * answering from a {@link FakeManagementApi}.
 */
public final class FakeApiServer implements BeforeEachCallback, AfterEachCallback
{
    public FakeManagementApi api;
    public String url;
    /** The directory of the socket, laid out like a daemon's run directory. */
    public Path dir;
    private ManagementServer server;

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        dir = Files.createTempDirectory("vplane-api");
        api = new FakeManagementApi();
        server = new ManagementServer(new ManagementListener.UnixSocket(dir.resolve("management.sock"), ""), api,
            Counters.inMemory(4).reader());
        url = server.start();
    }

    /** Stops answering now, as a daemon that went away. */
    public void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        stop();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
