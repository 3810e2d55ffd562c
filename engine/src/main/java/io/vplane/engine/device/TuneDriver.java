package io.vplane.engine.device;

import io.vplane.config.VplaneConfig;

import java.util.List;

/**
 * The built-in load of {@code vplane tune --load builtin} for one device type, driving that type's
 * real front end (a guest's rings, a disk's request queues) rather than a synthetic device. A
 * {@link DeviceProvider} offers it; without one the engine falls back to a loopback device.
 */
public interface TuneDriver
{
    /** The device type whose pool the load runs on. */
    String type();

    /** Requests per second the load offers per worker unless the run asks for another rate. */
    long defaultRatePerWorker();

    /**
     * Starts the load for a run, offering {@code ratePerWorker} requests per second for each of {@code workers} workers.
     *
     * @param queues how many queues the load should spread over (so every candidate N fills whole groups)
     * @return the running load, or null when it cannot run now (say why in the log); the engine then falls back
     */
    Run start(Context context, int queues, int workers, long ratePerWorker) throws Exception;

    /** What a driver may do to the running engine. */
    interface Context
    {
        VplaneConfig config();

        /** The running devices of {@code kind}. */
        List<Device> devices(String kind);

        /** Opens and binds a device for the run. */
        void addDevice(DeviceSpec spec);

        void removeDevice(String name);

        /** The running device called {@code name}. */
        Device device(String name);
    }

    /** A load running for a tuning run; closing stops it and removes what it added. */
    interface Run extends AutoCloseable
    {
        /** What the load drives and at what rate, one line for the run's output. */
        String description();

        /**
         * Latency recorders the load keeps itself, beside those of the type's queues (each with one
         * writing thread); empty when the queues carry the latency.
         */
        default List<RequestLatency> latencies()
        {
            return List.of();
        }

        @Override
        void close() throws Exception;
    }
}
