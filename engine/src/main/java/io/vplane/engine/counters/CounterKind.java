package io.vplane.engine.counters;

/**
 * What a counter's value means, stored as its Agrona type id so that a reader needs nothing but the file.
 */
public enum CounterKind
{
    /** Only ever goes up; its metric name ends in {@code _total}. */
    COUNTER(1),

    /** Goes up and down: a level, an occupancy, a size. */
    GAUGE(2);

    private final int typeId;

    CounterKind(final int typeId)
    {
        this.typeId = typeId;
    }

    public int typeId()
    {
        return typeId;
    }

    /**
     * @param typeId an Agrona counter type id
     * @return the kind, or {@code null} for a type id that is not a vplane kind
     */
    public static CounterKind ofTypeId(final int typeId)
    {
        for (final CounterKind kind : values())
        {
            if (kind.typeId == typeId)
            {
                return kind;
            }
        }
        return null;
    }
}
