package io.vplane.nic.uplink;

import io.vplane.engine.stat.StatColumn;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/** The uplinks' tables in {@code vplane stat}: the zero-copy share per uplink, and frames per receive path. */
public final class UplinkStats
{
    private UplinkStats()
    {
    }

    public static List<StatSection> sections()
    {
        return List.of(
            new StatSection("Uplinks", List.of("uplink"), List.of(
                StatColumn.value("zero-copy %", UplinkCounters.ZERO_COPY_SHARE))),
            new StatSection("Uplink receive paths", List.of("uplink", "path"), List.of(
                StatColumn.rate("frames/s", UplinkCounters.RX_PATH),
                StatColumn.value("frames", UplinkCounters.RX_PATH))));
    }
}
