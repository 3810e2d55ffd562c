package io.vplane.engine.tune;

import java.util.Locale;

/** Which load the candidates are measured under. */
public enum TuneLoad
{
    /**
     * The type's own built-in load through its real front end ({@link io.vplane.engine.device.TuneDriver}),
     * or a synthetic loopback device where it has none, offering the same requests per second to every candidate.
     */
    BUILTIN,
    /** Whatever traffic the type's devices carry now. */
    LIVE;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TuneLoad of(final String label)
    {
        return switch (label.toLowerCase(Locale.ROOT))
        {
            case "builtin" -> BUILTIN;
            case "live" -> LIVE;
            default -> throw new IllegalArgumentException("load must be builtin or live: '" + label + "'");
        };
    }
}
