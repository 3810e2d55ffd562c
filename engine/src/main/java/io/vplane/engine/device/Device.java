package io.vplane.engine.device;

import java.util.List;

/**
 * A device whose queues the engine binds to workers. The queue list is fixed for the life of the device.
 */
public interface Device extends AutoCloseable
{
    DeviceSpec spec();

    default String name()
    {
        return spec().name();
    }

    default String type()
    {
        return spec().type();
    }

    List<? extends DeviceQueue> queues();

    /** Called once the queues are bound: the device may start taking requests. */
    void start();

    /** Stops taking new requests; requests already queued are still served. Called before a drain. */
    void quiesce();

    /** Releases everything; called after its queues were unbound. */
    @Override
    void close();
}
