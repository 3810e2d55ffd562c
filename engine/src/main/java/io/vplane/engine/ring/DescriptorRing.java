package io.vplane.engine.ring;

import org.agrona.BitUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * A single-producer, single-consumer ring of 64-bit descriptors between two stages.
 *
 * <p>Built on Agrona's {@link OneToOneRingBuffer}: the records live off-heap in one preallocated
 * buffer, the producer claims and commits in place and the consumer reads with a count limit, so a
 * hop allocates nothing and a stage can bound its drain per duty cycle. The consumer is fixed when
 * the ring is made and captured by the handler the ring passes to Agrona, so taking a descriptor
 * costs one call the JIT inlines, with no handler looked up per message. Each record is an 8-byte
 * Agrona header and the 8-byte descriptor:
 * <pre>
 *   0                   4                   8                  16
 *   +-------------------+-------------------+------------------+
 *   |  record length    |  message type id  |    descriptor    |
 *   +-------------------+-------------------+------------------+
 * </pre>
 */
public final class DescriptorRing
{
    private static final int MSG_TYPE_ID = 1;
    private static final int RECORD_LENGTH = 16;

    private final OneToOneRingBuffer ring;
    private final int capacity;
    private final MessageHandler adapter;

    /**
     * @param capacity how many descriptors the ring holds (at the wrap Agrona may hold one fewer); a power of two
     * @param consumer takes the descriptors {@link #drain} hands over, on the consumer's thread
     */
    public DescriptorRing(final int capacity, final DescriptorHandler consumer)
    {
        if (!BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        final int bytes = capacity * RECORD_LENGTH + RingBufferDescriptor.TRAILER_LENGTH;
        ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(bytes)));
        adapter = (msgTypeId, buffer, index, length) -> consumer.onDescriptor(buffer.getLong(index));
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * The ring as its producer holds it: a producing stage keeps this in a field and offers with
     * {@link #offer(OneToOneRingBuffer, long)}. Agrona's claim is too big to inline, so after each
     * call the producer reads its chain of fields again; holding Agrona's ring, not this wrapper,
     * takes one object out of that chain, which measured about 5% of a hop (perf/bin/engine-hop).
     */
    public OneToOneRingBuffer producer()
    {
        return ring;
    }

    /**
     * Producer side, on a ring's {@link #producer()}.
     *
     * @return false when the ring is full
     */
    public static boolean offer(final OneToOneRingBuffer producer, final long descriptor)
    {
        final int index = producer.tryClaim(MSG_TYPE_ID, Long.BYTES);
        if (index <= 0)
        {
            return false;
        }
        producer.buffer().putLong(index, descriptor);
        producer.commit(index);
        return true;
    }

    /** Producer side, for callers off the hot path. @return false when the ring is full */
    public boolean offer(final long descriptor)
    {
        return offer(ring, descriptor);
    }

    /**
     * Consumer side: hands up to {@code limit} descriptors to the consumer, oldest first.
     *
     * @return how many were handed over
     */
    public int drain(final int limit)
    {
        return ring.read(adapter, limit);
    }

    /** Descriptors waiting; approximate when read concurrently. */
    public int size()
    {
        return ring.size() / RECORD_LENGTH;
    }
}
