package io.vplane.engine.management;

import io.vplane.config.VplaneConfig;

/**
 * What the running daemon offers to the HTTP management API. Calls come from the API's event loop;
 * implementations hand work to the workers themselves and block only until it is done.
 * An {@link IllegalArgumentException} means the request was wrong (the API answers 400 with its message).
 */
public interface ManagementApi
{
    StatusView status();

    VplaneConfig config();

    /** Re-reads the config file and applies what may change live. */
    ReloadReport reload();

    PlacementView placement(String type);

    /** Rebinds every device of {@code type} to {@code queuesPerWorker} queues per group, while traffic flows. */
    PlacementView changePlacement(String type, int queuesPerWorker);
}
