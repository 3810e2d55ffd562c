package io.vplane.perf.nbd;

import io.vplane.blockstore.device.NbdDeviceProvider;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.engine.Engine;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.perf.jmh.DefaultRun;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole NBD request path in one JVM: a client thread sends a burst of {@value #DEPTH} pipelined
 * READs or WRITEs of {@code blockBytes} (4 KiB, and 1 MiB, whose READ replies are sent from the
 * mapped image) to vplane's server (engine, NBD provider, raw image on tmpfs or disk) and
 * reads the {@value #DEPTH} replies. Time per request (ns/op) and, with the GC profiler, bytes
 * allocated per request by every thread of the JVM: event loop, blk worker and the client, whose
 * own buffers are preallocated, so what remains is the server's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NbdRoundTripBenchmark extends DefaultRun
{
    static final int DEPTH = 32;
    private static final long DISK_BYTES = 64L << 20;

    @Param({"4096", "1048576"})
    int blockBytes;

    private Path runDir;
    private Engine engine;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private byte[] data;
    private int blocks;
    private long cookie;
    private int nextBlock;

    @Setup
    public void setUp() throws Exception
    {
        data = new byte[blockBytes];
        blocks = (int)(DISK_BYTES / blockBytes);
        runDir = Files.createTempDirectory("nbd-round-trip");
        final Counters counters = Counters.inMemory(1024);
        final NbdDeviceProvider provider = new NbdDeviceProvider();
        engine = new Engine(DeviceKinds.load().parse("""
            daemon: {runDir: %s, imageDirs: [%s]}
            pools:
              blk: {workers: 1}
            nbd:
              port: 0
              tenants: [{name: local, allow: [127.0.0.0/8]}]
              disks: [{name: d0, image: d0.img, sizeBytes: %d, tenant: local}]
            """.formatted(runDir, runDir, DISK_BYTES), "bench.yaml"), counters, new ErrorLog(counters), List.of(provider));
        socket = new Socket("127.0.0.1", provider.port());
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        handshake("d0");
        for (int i = 0; i < Math.max(1, blocks / DEPTH); i++)
        {
            write();
        }
    }

    @TearDown
    public void tearDown() throws IOException
    {
        socket.close();
        engine.close();
        try (var files = Files.walk(runDir))
        {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public int read() throws IOException
    {
        return burst(NbdProtocol.CMD_READ);
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public int write() throws IOException
    {
        return burst(NbdProtocol.CMD_WRITE);
    }

    private int burst(final int type) throws IOException
    {
        for (int i = 0; i < DEPTH; i++)
        {
            out.writeInt(NbdProtocol.REQUEST_MAGIC);
            out.writeShort(0);
            out.writeShort(type);
            out.writeLong(cookie++);
            out.writeLong((long)nextBlock * blockBytes);
            out.writeInt(blockBytes);
            if (NbdProtocol.CMD_WRITE == type)
            {
                out.write(data);
            }
            nextBlock = (nextBlock + 7919) % blocks; // a prime stride: scattered, like randread
        }
        out.flush();
        int errors = 0;
        for (int i = 0; i < DEPTH; i++)
        {
            if (NbdProtocol.SIMPLE_REPLY_MAGIC != in.readInt())
            {
                throw new IOException("not a simple reply");
            }
            errors += in.readInt();
            in.readLong();
            if (NbdProtocol.CMD_READ == type)
            {
                in.readFully(data);
            }
        }
        return errors;
    }

    /** Fixed newstyle, no zeroes, NBD_OPT_EXPORT_NAME: the shortest way into transmission. */
    private void handshake(final String export) throws IOException
    {
        in.skipNBytes(18);
        out.writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE | NbdProtocol.CLIENT_FLAG_NO_ZEROES);
        final byte[] name = export.getBytes(StandardCharsets.UTF_8);
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeInt(NbdProtocol.OPT_EXPORT_NAME);
        out.writeInt(name.length);
        out.write(name);
        out.flush();
        in.skipNBytes(8 + 2);
    }
}
