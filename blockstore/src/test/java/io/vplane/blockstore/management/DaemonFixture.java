package io.vplane.blockstore.management;

import io.vplane.engine.daemon.Daemon;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementClientException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A whole daemon in this JVM (engine, NBD provider, management API with the {@code /disk} routes)
 * on a config file in a temporary directory, the NBD server on a free port.
 */
public final class DaemonFixture implements AutoCloseable
{
    public final Path dir;
    public final Path runDir;
    public final Path configFile;
    public final int nbdPort;
    public final Daemon daemon;
    public final ManagementClient api;
    private final List<String> remoteBackends;

    /**
     * @param nbdBody the {@code nbd:} section's tenants and disks, indented by two spaces
     */
    public DaemonFixture(final Path dir, final String nbdBody)
    {
        this(dir, nbdBody, List.of());
    }

    /** @param remoteBackends HOST:PORT pairs nbd:// disks may reach */
    public DaemonFixture(final Path dir, final String nbdBody, final List<String> remoteBackends)
    {
        this.dir = dir;
        this.remoteBackends = List.copyOf(remoteBackends);
        this.runDir = dir.resolve("run");
        this.configFile = dir.resolve("vplane.yaml");
        this.nbdPort = freePort();
        try
        {
            Files.writeString(configFile, config(nbdBody));
            daemon = Daemon.start(configFile);
            api = new ManagementClient(daemon.runDirectory().managementSocketUrl());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Tenant {@code local} (loopback clients), QoS level {@code gold} and one 1 MiB disk {@code base}. */
    public static DaemonFixture withBaseDisk(final Path dir)
    {
        return new DaemonFixture(dir, BASE);
    }

    public static final String BASE = """
          tenants:
            - {name: local, allow: [127.0.0.0/8, "::1/128"]}
          qos:
            levels: [{name: gold, weight: 400, reservationIops: 100}]
          disks:
            - {name: base, image: base.img, sizeBytes: 1048576, tenant: local}
        """;

    /** Rewrites the config file's nbd tenants and disks; apply with {@code POST /reload}. */
    public void rewrite(final String nbdBody)
    {
        try
        {
            Files.writeString(configFile, config(nbdBody));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public String uri(final String export)
    {
        return "nbd://127.0.0.1:" + nbdPort + "/" + export;
    }

    /** The value /metrics serves on the first line starting with {@code series} (name and the start of its labels); 0 when none. */
    public long counter(final String series)
    {
        return api.get("/metrics").lines().filter(line -> line.startsWith(series))
            .mapToLong(line -> (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    public String post(final String path, final String json)
    {
        return api.post(path, json);
    }

    /** POSTs a request that must be refused; @return the error message */
    public String error(final String path, final String body)
    {
        try
        {
            api.post(path, body);
        }
        catch (final ManagementClientException ex)
        {
            if (ex.statusCode() != 400 && ex.statusCode() != 404)
            {
                throw new AssertionError(path + " " + body + " answered " + ex.statusCode() + ": " + ex.getMessage(), ex);
            }
            return ex.getMessage();
        }
        throw new AssertionError(path + " " + body + " was accepted");
    }

    @Override
    public void close()
    {
        daemon.close();
    }

    private String config(final String nbdBody)
    {
        return """
            daemon: {runDir: %s, imageDirs: [%s], remoteBackends: [%s], drainTimeoutMs: 3000}
            pools:
              blk:
                workers: 1
                idle: {strategy: backoff}
            nbd:
              port: %d
            %s""".formatted(runDir, runDir, String.join(", ", remoteBackends), nbdPort, nbdBody);
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
