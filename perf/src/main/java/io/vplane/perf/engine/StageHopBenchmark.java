package io.vplane.perf.engine;

import io.vplane.engine.ring.DescriptorRing;
import io.vplane.perf.jmh.DefaultRun;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One stage hop, a burst of {@value #BURST} descriptors at a time: a producer writes them into a
 * ring and a consumer takes them out. {@code bareRing} does it with Agrona's ring alone;
 * {@code engineHop} goes through the engine: the descriptor ring, a device queue, a queue-group
 * agent and the worker's duty cycle (clock, inbox, counters). Both cost per message (ns/op).
 *
 * <p>Each producer holds its ring in a field of its own, as a producing stage does (the engine's
 * through {@link DescriptorRing#producer()}): claimCapacity is too big to inline, and after each
 * call to it the producer loads its chain of fields again, so every object in that chain costs per
 * message. Offering through the hop holder and the DescriptorRing measured 1.24x the bare ring;
 * through the DescriptorRing, 1.12x; through its producer, 1.07x.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StageHopBenchmark extends DefaultRun
{
    static final int BURST = 32;
    private static final int RING_CAPACITY = 1024;
    private static final int MSG_TYPE_ID = 1;

    private OneToOneRingBuffer bare;
    private long bareSum;
    private final MessageHandler bareHandler = this::onBareMessage;
    private EngineHop engine;
    /** The producing stage holds its ring's producer side, as the benchmark holds the bare ring. */
    private OneToOneRingBuffer producer;
    private long sequence;

    @Setup
    public void setUp() throws Exception
    {
        bare = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(RING_CAPACITY * 16 + RingBufferDescriptor.TRAILER_LENGTH)));
        engine = new EngineHop(RING_CAPACITY, BURST);
        producer = engine.ring().producer();
    }

    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long bareRing()
    {
        for (int i = 0; i < BURST; i++)
        {
            final int index = bare.tryClaim(MSG_TYPE_ID, Long.BYTES);
            bare.buffer().putLong(index, sequence++);
            bare.commit(index);
        }
        bare.read(bareHandler, BURST);
        return bareSum;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long engineHop() throws Exception
    {
        for (int i = 0; i < BURST; i++)
        {
            if (!DescriptorRing.offer(producer, sequence++))
            {
                throw new IllegalStateException("ring full: the consumer fell behind");
            }
        }
        engine.consumeOneDutyCycle();
        return engine.sum();
    }

    private void onBareMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        bareSum += buffer.getLong(index);
    }
}
