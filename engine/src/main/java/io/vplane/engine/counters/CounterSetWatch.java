package io.vplane.engine.counters;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Tells whether any counter of a counters file came, went or was relabelled since the last look,
 * by comparing the metadata records in use (state, type id, key and label of every slot up to the
 * first never-used one) with a copy taken then. Costs a memory compare and no allocation when
 * nothing changed, which is every scrape but the first after a device is added or removed.
 */
final class CounterSetWatch
{
    private final CountersReader reader;
    private final UnsafeBuffer seen = new UnsafeBuffer(new byte[0]);
    private int seenLength = -1;

    CounterSetWatch(final CountersReader reader)
    {
        this.reader = reader;
    }

    /** @return true the first time and whenever the counters in use differ from the last call's */
    boolean changed()
    {
        final AtomicBuffer metadata = reader.metaDataBuffer();
        final int length = usedLength(metadata);
        if (length == seenLength && sameAsSeen(metadata, length))
        {
            return false;
        }
        if (seen.capacity() < length)
        {
            seen.wrap(new byte[length]);
        }
        seen.putBytes(0, metadata, 0, length);
        seenLength = length;
        return true;
    }

    // Slots are handed out in order and never return to unused, so the first unused one ends the records in use.
    private int usedLength(final AtomicBuffer metadata)
    {
        int length = 0;
        for (int id = 0; id <= reader.maxCounterId(); id++)
        {
            final int offset = CountersReader.metaDataOffset(id);
            if (CountersReader.RECORD_UNUSED == metadata.getIntVolatile(offset))
            {
                break;
            }
            length = offset + CountersReader.METADATA_LENGTH;
        }
        return length;
    }

    private boolean sameAsSeen(final AtomicBuffer metadata, final int length)
    {
        for (int offset = 0; offset < length; offset += Long.BYTES)
        {
            if (metadata.getLong(offset) != seen.getLong(offset))
            {
                return false;
            }
        }
        return true;
    }
}
