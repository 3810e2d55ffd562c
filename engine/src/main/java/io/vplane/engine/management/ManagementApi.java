package io.vplane.engine.management;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceSpec;

import java.util.List;

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

    /** Chooses N for {@code type} by measurement: tries 1..{@code maxQueuesPerWorker}, keeps the best. */
    AutotuneView autotunePlacement(String type, int maxQueuesPerWorker, long windowMs);

    /** Where every queue of {@code type} runs, with each queue's measured load. */
    PlacementView placementWithLoads(String type);

    /**
     * Estimates a load-based grouping of {@code type}'s queues and applies it unless {@code dryRun}
     * when it improves the balance by more than {@code thresholdPercent}.
     */
    GroupingView groupByLoad(String type, double thresholdPercent, boolean dryRun);

    /** Starts choosing N for a type by measurement in the background; its progress and outcome come from {@link #tune()}. */
    TuneView startTune(TuneRequest request);

    /** The tuning run in progress, or the last one. */
    TuneView tune();

    List<StatusView.DeviceView> devices();

    /**
     * Adds a device while the daemon runs. It is validated exactly like an entry of the config file's
     * {@code devices.KIND} list and kept across reloads until it is removed.
     *
     * @param kind       device kind, as in the config's {@code devices} section
     * @param deviceJson the entry as a JSON object
     */
    StatusView.DeviceView addDevice(String kind, String deviceJson);

    /** Unbinds and closes a device, whether it came from the config file or from {@link #addDevice}. */
    void removeDevice(String name);

    /**
     * Adds a device a module built itself (from a {@link ManagementExtension}); like
     * {@link #addDevice(String, String)} it is kept across reloads until it is removed.
     */
    StatusView.DeviceView addDevice(DeviceSpec spec);

    /**
     * The running device called {@code name}, for the extension of the module that made it.
     *
     * @throws java.util.NoSuchElementException when no such device runs
     */
    Device device(String name);
}
