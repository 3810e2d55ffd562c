package io.vplane.engine.management;

import java.util.List;

/** The daemon at a glance, as served at {@code GET /status}. */
public record StatusView(
    long pid,
    long startTimeMs,
    long uptimeMs,
    String runDir,
    String configSource,
    List<DeviceView> devices,
    List<PlacementView> pools)
{
    /** One device, whatever its kind. */
    public record DeviceView(String name, String kind, String type, int queues)
    {
    }
}
