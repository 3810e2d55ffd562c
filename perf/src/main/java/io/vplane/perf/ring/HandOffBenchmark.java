package io.vplane.perf.ring;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.EventTranslator;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.vplane.engine.ring.DescriptorRing;
import org.agrona.concurrent.AbstractConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One producer thread (the benchmark's) hands items to one consumer thread that drains in bounded
 * batches, as a stage does in its duty cycle; the ring is small enough to fill, so in steady state
 * the producer runs at the pace of the pair and the score is the time per item handed over.
 *
 * <p>Two uses, three candidates each (and the second once more with two producer threads):
 * <ul>
 *   <li>descriptors between stages (a 64-bit value, single producer): Agrona's
 *       {@link OneToOneRingBuffer} as {@link DescriptorRing} wraps it; the Disruptor's single-producer
 *       ring of preallocated events read through an {@link EventPoller}; JCTools'
 *       {@link SpscArrayQueue}, and Agrona's {@link OneToOneConcurrentArrayQueue}, which carry
 *       references only, so they are given one constant object (a real use would also have to
 *       return descriptor objects to the producer);</li>
 *   <li>references from many producers to one worker (control commands, decoded NBD requests,
 *       completions from a library's threads): Agrona's {@link ManyToOneConcurrentArrayQueue},
 *       JCTools' {@link MpscArrayQueue}, the Disruptor's multi-producer ring; {@code twoToOne…}
 *       runs the same with {@value #PRODUCERS} producers offering at once, where the claim of a
 *       slot is contended (on two cores, three spinning threads share them: each producer's time
 *       per item includes waiting for the CPU).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class HandOffBenchmark
{
    static final int BURST = 64;
    static final int RING_SIZE = 1024;
    static final int DRAIN_LIMIT = 64;
    static final int PRODUCERS = 2;
    private static final Object ITEM = new Object();
    /** Fills a preallocated event in place: the descriptor is the event's sequence, a distinct 64-bit value. */
    private static final EventTranslator<DescriptorEvent> SET_DESCRIPTOR = (event, sequence) -> event.descriptor = sequence;
    private static final EventTranslator<ReferenceEvent> SET_ITEM = (event, sequence) -> event.item = ITEM;

    /** A consumer thread that calls its drain until stopped, counting what it took. */
    @State(Scope.Benchmark)
    public abstract static class Pair
    {
        /**
         * true: no consumer thread; the producer drains each burst itself right after offering it,
         * so the score is the CPU cost of handing an item over and taking it, with no other thread
         * to wait for: what a machine loaded by other processes still measures.
         */
        @Param("false")
        public boolean sameThread;
        private volatile boolean running;
        private Thread consumer;
        long taken;

        abstract int drain();

        @Setup(Level.Trial)
        public void start()
        {
            if (sameThread)
            {
                return;
            }
            running = true;
            consumer = new Thread(() ->
            {
                while (running)
                {
                    if (drain() == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
            }, "hand-off-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        /** After each burst: in the same-thread mode, takes it back out. */
        final void afterBurst()
        {
            if (sameThread)
            {
                int drained;
                do
                {
                    drained = drain();
                }
                while (drained > 0);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException
        {
            running = false;
            if (null != consumer)
            {
                consumer.join();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class AgronaDescriptors extends Pair
    {
        final DescriptorRing ring = new DescriptorRing(RING_SIZE, descriptor -> taken += descriptor);
        final OneToOneRingBuffer producer = ring.producer();

        @Override
        int drain()
        {
            return ring.drain(DRAIN_LIMIT);
        }
    }

    /** The Disruptor's preallocated event: one mutable descriptor. */
    static final class DescriptorEvent
    {
        long descriptor;
    }

    /** A Disruptor ring read through an {@link EventPoller}, at most {@link #DRAIN_LIMIT} events a poll. */
    abstract static class DisruptorPair<E> extends Pair
    {
        final RingBuffer<E> ring;
        private final EventPoller<E> poller;
        private int batch;
        private final EventPoller.Handler<E> handler = (event, sequence, endOfBatch) ->
        {
            take(event);
            return ++batch < DRAIN_LIMIT;
        };

        DisruptorPair(final RingBuffer<E> ring)
        {
            this.ring = ring;
            poller = ring.newPoller();
            ring.addGatingSequences(poller.getSequence());
        }

        abstract void take(E event);

        @Override
        int drain()
        {
            batch = 0;
            try
            {
                poller.poll(handler);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
            return batch;
        }
    }

    @State(Scope.Benchmark)
    public static class DisruptorDescriptors extends DisruptorPair<DescriptorEvent>
    {
        public DisruptorDescriptors()
        {
            super(RingBuffer.createSingleProducer(DescriptorEvent::new, RING_SIZE, new YieldingWaitStrategy()));
        }

        @Override
        void take(final DescriptorEvent event)
        {
            taken += event.descriptor;
        }
    }

    /** An Agrona queue of references drained through {@link org.agrona.concurrent.Pipe#drain}. */
    abstract static class AgronaQueuePair extends Pair
    {
        final AbstractConcurrentArrayQueue<Object> queue;
        private final Consumer<Object> sink = item -> taken++;

        AgronaQueuePair(final AbstractConcurrentArrayQueue<Object> queue)
        {
            this.queue = queue;
        }

        @Override
        int drain()
        {
            return queue.drain(sink, DRAIN_LIMIT);
        }
    }

    /** A JCTools queue of references drained through {@link MessagePassingQueue#drain}. */
    abstract static class JctoolsQueuePair<Q extends Queue<Object> & MessagePassingQueue<Object>> extends Pair
    {
        final Q queue;
        private final MessagePassingQueue.Consumer<Object> sink = item -> taken++;

        JctoolsQueuePair(final Q queue)
        {
            this.queue = queue;
        }

        @Override
        int drain()
        {
            return queue.drain(sink, DRAIN_LIMIT);
        }
    }

    @State(Scope.Benchmark)
    public static class JctoolsDescriptors extends JctoolsQueuePair<SpscArrayQueue<Object>>
    {
        public JctoolsDescriptors()
        {
            super(new SpscArrayQueue<>(RING_SIZE));
        }
    }

    @State(Scope.Benchmark)
    public static class AgronaQueueDescriptors extends AgronaQueuePair
    {
        public AgronaQueueDescriptors()
        {
            super(new OneToOneConcurrentArrayQueue<>(RING_SIZE));
        }
    }

    @State(Scope.Benchmark)
    public static class AgronaManyToOne extends AgronaQueuePair
    {
        public AgronaManyToOne()
        {
            super(new ManyToOneConcurrentArrayQueue<>(RING_SIZE));
        }
    }

    @State(Scope.Benchmark)
    public static class JctoolsManyToOne extends JctoolsQueuePair<MpscArrayQueue<Object>>
    {
        public JctoolsManyToOne()
        {
            super(new MpscArrayQueue<>(RING_SIZE));
        }
    }

    /** The Disruptor's preallocated event: one reference. */
    static final class ReferenceEvent
    {
        Object item;
    }

    @State(Scope.Benchmark)
    public static class DisruptorManyToOne extends DisruptorPair<ReferenceEvent>
    {
        public DisruptorManyToOne()
        {
            super(RingBuffer.createMultiProducer(ReferenceEvent::new, RING_SIZE, new YieldingWaitStrategy()));
        }

        @Override
        void take(final ReferenceEvent event)
        {
            event.item = null;
            taken++;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void descriptorsAgrona(final AgronaDescriptors pair)
    {
        for (int i = 0; i < BURST; i++)
        {
            while (!DescriptorRing.offer(pair.producer, i))
            {
                Thread.onSpinWait();
            }
        }
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void descriptorsDisruptor(final DisruptorDescriptors pair)
    {
        publishBurst(pair.ring, SET_DESCRIPTOR);
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void descriptorsJctools(final JctoolsDescriptors pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void descriptorsAgronaQueue(final AgronaQueueDescriptors pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void manyToOneAgrona(final AgronaManyToOne pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void manyToOneJctools(final JctoolsManyToOne pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void manyToOneDisruptor(final DisruptorManyToOne pair)
    {
        publishBurst(pair.ring, SET_ITEM);
        pair.afterBurst();
    }

    @Benchmark
    @Threads(PRODUCERS)
    @OperationsPerInvocation(BURST)
    public void twoToOneAgrona(final AgronaManyToOne pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @Threads(PRODUCERS)
    @OperationsPerInvocation(BURST)
    public void twoToOneJctools(final JctoolsManyToOne pair)
    {
        offerBurst(pair.queue);
        pair.afterBurst();
    }

    @Benchmark
    @Threads(PRODUCERS)
    @OperationsPerInvocation(BURST)
    public void twoToOneDisruptor(final DisruptorManyToOne pair)
    {
        manyToOneDisruptor(pair);
    }

    /** Offers a burst of one constant item, waiting while the queue is full (every queue is given the same). */
    private static void offerBurst(final Queue<Object> queue)
    {
        for (int i = 0; i < BURST; i++)
        {
            while (!queue.offer(ITEM))
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Publishes a burst into a Disruptor ring, each event filled in place by {@code fill}, waiting
     * while the ring is full (tryPublishEvent's exception for a full ring is preallocated).
     */
    private static <E> void publishBurst(final RingBuffer<E> ring, final EventTranslator<E> fill)
    {
        for (int i = 0; i < BURST; i++)
        {
            while (!ring.tryPublishEvent(fill))
            {
                Thread.onSpinWait();
            }
        }
    }
}
