package io.vplane.dist.beacon;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;

/** A device with one queue that never has work, and a ping counter its API route bumps. */
final class BeaconDevice implements Device
{
    static final String PINGS = "vplane_beacon_pings_total";

    private final DeviceSpec spec;
    private final AtomicCounter pings;
    private final List<DeviceQueue> queues = List.of(new DeviceQueue()
    {
        @Override
        public int index()
        {
            return 0;
        }

        @Override
        public int poll(final int limit)
        {
            return 0;
        }

        @Override
        public long backlog()
        {
            return 0;
        }
    });

    BeaconDevice(final DeviceSpec spec, final DeviceContext context)
    {
        this.spec = spec;
        this.pings = context.counters().counter(PINGS, "device", spec.name());
        pings.set(((BeaconConfig.Beacon)spec.settings()).start());
    }

    long ping()
    {
        return pings.incrementOrdered() + 1;
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public List<? extends DeviceQueue> queues()
    {
        return queues;
    }

    @Override
    public void start()
    {
    }

    @Override
    public void quiesce()
    {
    }

    @Override
    public void close()
    {
        pings.close();
    }
}
