package io.vplane.nic.uplink;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.linux.FileIo;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;

/**
 * An uplink as an engine device: its descriptors and its switch ports. It has no queue of its own:
 * the ports are polled by the switch they join, on that switch's {@code net} worker (all ports of a
 * switch run on one thread, which is what lets a frame read into a guest buffer be published by
 * the VM port without a hand-over).
 */
abstract class UplinkDevice implements Device
{
    private static final long DETACH_WAIT_MS = 1_000;

    private final DeviceSpec spec;
    private final String vswitch;
    private final VswitchRegistry switches;
    private final int[] fds;
    private final List<? extends UplinkPort> ports;
    private final List<UplinkCounters> counters;
    private boolean started;

    UplinkDevice(final DeviceSpec spec, final String vswitch, final VswitchRegistry switches, final int[] fds,
        final List<? extends UplinkPort> ports, final List<UplinkCounters> counters)
    {
        this.spec = spec;
        this.vswitch = vswitch;
        this.switches = switches;
        this.fds = fds;
        this.ports = List.copyOf(ports);
        this.counters = List.copyOf(counters);
    }

    @Override
    public final DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public final List<? extends DeviceQueue> queues()
    {
        return List.of();
    }

    @Override
    public final synchronized void start()
    {
        if (!started)
        {
            started = true;
            starting();
            for (final UplinkPort port : ports)
            {
                switches.join(vswitch, port);
            }
        }
    }

    /** Before the ports join the switch: say what runs. */
    protected void starting()
    {
    }

    @Override
    public final void quiesce()
    {
        // the switch stops polling its ports when it is quiesced itself
    }

    @Override
    public final synchronized void close()
    {
        for (final UplinkPort port : ports)
        {
            if (switches.leave(vswitch, port))
            {
                port.awaitDetached(DETACH_WAIT_MS);
            }
        }
        for (final int fd : fds)
        {
            FileIo.close(fd);
        }
        counters.forEach(UplinkCounters::close);
        ports.forEach(UplinkPort::close);
    }
}
