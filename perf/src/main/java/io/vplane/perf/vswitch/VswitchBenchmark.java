package io.vplane.perf.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.FrameParser;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.ParsedFrame;
import io.vplane.nic.vswitch.FrameBurst;
import io.vplane.nic.vswitch.PortRole;
import io.vplane.nic.vswitch.SinkPort;
import io.vplane.nic.vswitch.SourcePort;
import io.vplane.nic.vswitch.TranslationEntry;
import io.vplane.nic.vswitch.TranslationSnapshot;
import io.vplane.nic.vswitch.VswitchConfig;
import io.vplane.nic.vswitch.VswitchStage;
import io.vplane.perf.jmh.DefaultRun;
import org.agrona.BufferUtil;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Frames per second on one thread, 64-byte IPv4 frames, for a table of {@code entries} VMs:
 * <ul>
 * <li>{@code stage}: the whole switch stage: an uplink source (to the global MAC, translated to the
 *     VM's local MAC) and a VM source (half to the uplink, source translated; half VM to VM) emit a
 *     burst each per call into two VM sinks and back to the uplink: receive, parse, anti-spoofing,
 *     learning, lookup, rewrite, transmit, counters;</li>
 * <li>{@code sourcesOnly}: the two source ports alone, the generator's share of {@code stage};</li>
 * <li>{@code tableLookupRewrite}: parse, look up the destination IP in the switch's table, rewrite
 *     the destination MAC, over frames in place;</li>
 * <li>{@code hashMapLookupRewrite} and {@code agronaMapLookupRewrite}: the same with the entries in
 *     a {@link HashMap} and an {@link Object2ObjectHashMap} keyed by a reused mutable key.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VswitchBenchmark extends DefaultRun
{
    static final int BURST = 32;
    /** Frames per {@code stage} call: one burst from each of the two sources. */
    static final int STAGE_FRAMES = 2 * BURST;
    private static final int DISTINCT_FRAMES = 4096;

    @Param({"1024", "65536"})
    public int entries;

    private VswitchStage stage;
    private SourcePort uplink;
    private SourcePort vmSource;
    private final FrameBurst generated = new FrameBurst(BURST);

    private UnsafeBuffer frames;
    private long framesAddress;
    private int nextFrame;
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final FrameParser parser = new FrameParser(2, 1522);
    private final ParsedFrame parsed = new ParsedFrame();
    private TranslationSnapshot snapshot;
    private final Map<IpKey, TranslationEntry> hashMap = new HashMap<>();
    private final Object2ObjectHashMap<IpKey, TranslationEntry> agronaMap = new Object2ObjectHashMap<>();
    private final IpKey probe = new IpKey();

    @Setup
    public void setUp()
    {
        final List<TranslationEntry> table = BenchFrames.entries(entries);
        final VswitchConfig settings = new VswitchConfig(true, "bench", true, false, false, 300_000, 4096, BURST, 1522, 2,
            Math.max(65536, entries + 1), List.of());
        stage = new VswitchStage(settings, Counters.inMemory(256), SystemNanoClock.INSTANCE);
        uplink = new SourcePort("up0", PortRole.UPLINK, 0, BenchFrames.fromUplink(DISTINCT_FRAMES, entries, 1),
            0, 0, SystemNanoClock.INSTANCE, BURST);
        vmSource = new SourcePort("vmSrc", PortRole.VM, 0, BenchFrames.fromVm(DISTINCT_FRAMES, entries, 2),
            0, 0, SystemNanoClock.INSTANCE, BURST);
        stage.attach(uplink);
        stage.attach(vmSource);
        stage.attach(SinkPort.counting("vmA", PortRole.VM));
        stage.attach(SinkPort.counting("vmB", PortRole.VM));
        stage.table().replaceAll(table);
        snapshot = stage.table().snapshot();
        for (final TranslationEntry entry : table)
        {
            hashMap.put(new IpKey(entry.ipHi(), entry.ipLo()), entry);
            agronaMap.put(new IpKey(entry.ipHi(), entry.ipLo()), entry);
        }

        final List<byte[]> mix = BenchFrames.fromUplink(DISTINCT_FRAMES, entries, 3);
        final java.nio.ByteBuffer memory = BufferUtil.allocateDirectAligned(DISTINCT_FRAMES * BenchFrames.FRAME_BYTES, 64);
        frames = new UnsafeBuffer(memory);
        framesAddress = BufferUtil.address(memory);
        for (int i = 0; i < DISTINCT_FRAMES; i++)
        {
            frames.putBytes(i * BenchFrames.FRAME_BYTES, mix.get(i));
        }
        // learn the remote MAC on the uplink so VM → uplink frames are unicast, not flooded
        stage.doWork(STAGE_FRAMES);
    }

    @TearDown
    public void tearDown()
    {
        stage.close();
    }

    @Benchmark
    @OperationsPerInvocation(STAGE_FRAMES)
    public int stage()
    {
        return stage.doWork(STAGE_FRAMES);
    }

    /** What the two source ports alone cost per frame (part of {@code stage}): the generator, not the switch. */
    @Benchmark
    @OperationsPerInvocation(STAGE_FRAMES)
    public int sourcesOnly()
    {
        generated.clear();
        int frames = uplink.receive(generated);
        generated.clear();
        frames += vmSource.receive(generated);
        return frames;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long tableLookupRewrite()
    {
        long hits = 0;
        for (int i = 0; i < BURST; i++)
        {
            if (nextParsed())
            {
                final int slot = snapshot.find(parsed.dstIpHi(), parsed.dstIpLo());
                if (slot >= 0)
                {
                    MacAddress.write(frame, Ethernet.DST_OFFSET, snapshot.localMac(slot));
                    hits += snapshot.portIndex(slot);
                }
            }
        }
        return hits;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long hashMapLookupRewrite()
    {
        return mapLookupRewrite(hashMap);
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long agronaMapLookupRewrite()
    {
        return mapLookupRewrite(agronaMap);
    }

    /** Each benchmark runs in a fork of its own, so this call site sees one map class only. */
    private long mapLookupRewrite(final Map<IpKey, TranslationEntry> map)
    {
        long hits = 0;
        for (int i = 0; i < BURST; i++)
        {
            if (nextParsed())
            {
                probe.set(parsed.dstIpHi(), parsed.dstIpLo());
                final TranslationEntry entry = map.get(probe);
                if (null != entry)
                {
                    MacAddress.write(frame, Ethernet.DST_OFFSET, entry.localMac());
                    hits += entry.port().length();
                }
            }
        }
        return hits;
    }

    private boolean nextParsed()
    {
        final int index = nextFrame;
        nextFrame = index + 1 == DISTINCT_FRAMES ? 0 : index + 1;
        frame.wrap(framesAddress + (long)index * BenchFrames.FRAME_BYTES, BenchFrames.FRAME_BYTES);
        return parser.parse(frame, BenchFrames.FRAME_BYTES, parsed) == FrameParser.OK;
    }

    /** A reusable key, as a careful user of a map keyed by objects would write it. */
    static final class IpKey
    {
        long hi;
        long lo;

        IpKey()
        {
        }

        IpKey(final long hi, final long lo)
        {
            set(hi, lo);
        }

        void set(final long hi, final long lo)
        {
            this.hi = hi;
            this.lo = lo;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof IpKey key && key.hi == hi && key.lo == lo;
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(hi * 31 + lo);
        }
    }
}
