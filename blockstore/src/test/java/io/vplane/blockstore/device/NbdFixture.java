package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;

import java.nio.file.Path;
import java.util.List;

/**
 * An engine with the NBD provider only, serving disks declared in a YAML snippet from a temporary
 * run directory, on a free port.
 */
public final class NbdFixture implements AutoCloseable
{
    public final Path runDir;
    public final Counters counters = Counters.inMemory(1024);
    public final ErrorLog errors = new ErrorLog(counters);
    public final NbdDeviceProvider provider;
    public final Engine engine;

    /**
     * @param nbdSection the body of the {@code nbd:} section, indented by two spaces, without port
     */
    public NbdFixture(final Path runDir, final String nbdSection)
    {
        this(runDir, nbdSection, null, List.of());
    }

    /** As above, with the server's limits per client written as its {@code nbd.limits} section. */
    public NbdFixture(final Path runDir, final String nbdSection, final NbdLimits limits)
    {
        this(runDir, nbdSection, limits, List.of());
    }

    /** @param remoteBackends HOST:PORT pairs nbd:// images may name */
    public NbdFixture(final Path runDir, final String nbdSection, final List<String> remoteBackends)
    {
        this(runDir, nbdSection, null, remoteBackends);
    }

    /** @param limits written as {@code nbd.limits}; none when null (then {@code nbdSection} may hold it) */
    private NbdFixture(final Path runDir, final String nbdSection, final NbdLimits limits, final List<String> remoteBackends)
    {
        this.runDir = runDir;
        this.provider = new NbdDeviceProvider();
        final VplaneConfig config = DeviceKinds.load().parse("""
            daemon:
              runDir: %s
              imageDirs: [%s]
              remoteBackends: [%s]
            pools:
              blk:
                workers: 2
            nbd:
              port: 0
            %s%s""".formatted(runDir, runDir, String.join(", ", remoteBackends), limitsSection(limits), nbdSection),
            "fixture.yaml");
        engine = new Engine(config, counters, errors, List.of(provider));
    }

    /** One read-write disk {@code name} of {@code sizeBytes} for tenant {@code local}, under {@code limits}. */
    public static NbdFixture oneDisk(final Path runDir, final String name, final long sizeBytes, final NbdLimits limits)
    {
        return new NbdFixture(runDir, """
              tenants:
                - name: local
                  allow: [127.0.0.0/8, "::1/128"]
              disks:
                - name: %s
                  image: %s.img
                  sizeBytes: %d
                  tenant: local
                  queues: 2
            """.formatted(name, name, sizeBytes), limits);
    }

    /** One read-write disk {@code name} of {@code sizeBytes} for tenant {@code local} (loopback clients). */
    public static NbdFixture oneDisk(final Path runDir, final String name, final long sizeBytes)
    {
        return new NbdFixture(runDir, """
              tenants:
                - name: local
                  allow: [127.0.0.0/8, "::1/128"]
              disks:
                - name: %s
                  image: %s.img
                  sizeBytes: %d
                  tenant: local
                  queues: 2
            """.formatted(name, name, sizeBytes));
    }

    private static String limitsSection(final NbdLimits limits)
    {
        return null == limits ? "" : """
              limits:
                handshakeTimeoutMs: %d
                maxOptions: %d
                maxOptionBytes: %d
                maxConnections: %d
                maxConnectionsPerClient: %d
                maxConnectionsPerExport: %d
                maxDataBytesInFlight: %d
                writeHighWaterBytes: %d
                unwritableTimeoutMs: %d
                zeroSliceBytes: %d
            """.formatted(limits.handshakeTimeoutMs(), limits.maxOptions(), limits.maxOptionBytes(), limits.maxConnections(),
            limits.maxConnectionsPerClient(), limits.maxConnectionsPerExport(), limits.maxDataBytesInFlight(),
            limits.writeHighWaterBytes(), limits.unwritableTimeoutMs(), limits.zeroSliceBytes());
    }

    public int port()
    {
        return provider.port();
    }

    public String uri(final String export)
    {
        return "nbd://127.0.0.1:" + port() + "/" + export;
    }

    /** Value of the counter whose label starts with {@code prefix}, summed; 0 when none. */
    public long counter(final String prefix)
    {
        final long[] sum = new long[1];
        counters.reader().forEach((value, typeId, label) ->
        {
            if (label.startsWith(prefix))
            {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    /** Value of the counter with exactly this label; 0 when none. */
    public long counterExactly(final String label)
    {
        return counters.value(label);
    }

    @Override
    public void close()
    {
        engine.close();
    }
}
