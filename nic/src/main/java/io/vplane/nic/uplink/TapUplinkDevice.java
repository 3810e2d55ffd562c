package io.vplane.nic.uplink;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Tun;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

import java.util.List;

/**
 * A TAP uplink as an engine device. It has no queue of its own: its TAP queues are polled by the
 * switch it joins, on that switch's {@code net} worker (all ports of a switch run on one thread,
 * which is what lets a frame read into a guest buffer be published by the VM port without a
 * hand-over). Opening creates the TAP device when it does not exist (CAP_NET_ADMIN), or attaches
 * to an existing one (persistent, owned by the daemon's user).
 */
public final class TapUplinkDevice implements Device
{
    private static final long DETACH_WAIT_MS = 1_000;

    private final DeviceSpec spec;
    private final TapUplinkConfig settings;
    private final VswitchRegistry switches;
    private final int[] fds;
    private final UplinkCounters counters;
    private final TapPort port;
    private volatile boolean started;

    public TapUplinkDevice(final DeviceSpec spec, final TapUplinkConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        this.spec = spec;
        this.settings = settings;
        this.switches = switches;
        this.fds = openQueues(settings);
        this.counters = new UplinkCounters(context.counters(), spec.name());
        this.port = new TapPort(spec.name(), fds, lenders.slot(settings.vmPort()), settings.vswitch(),
            settings.zeroCopy(), counters, context.errors());
    }

    /** Opens every queue of the TAP device, each with a 12-byte virtio-net header and no offloads. */
    static int[] openQueues(final TapUplinkConfig settings)
    {
        int flags = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR;
        if (settings.queues() > 1)
        {
            flags |= Tun.IFF_MULTI_QUEUE;
        }
        final int[] fds = new int[settings.queues()];
        for (int i = 0; i < fds.length; i++)
        {
            final int fd = Tun.open(settings.ifName(), flags);
            int rc = fd;
            if (fd >= 0)
            {
                fds[i] = fd;
                rc = Tun.setVnetHeaderSize(fd, TapPort.HEADER_SIZE);
                if (rc >= 0)
                {
                    // the guest negotiates no offloads: the kernel hands over complete, checksummed frames
                    rc = Tun.setOffload(fd, 0);
                }
            }
            if (rc < 0)
            {
                for (int j = 0; j < (fd >= 0 ? i + 1 : i); j++)
                {
                    FileIo.close(fds[j]);
                }
                throw new IllegalStateException("uplink " + settings.name() + ": cannot open TAP '" + settings.ifName() +
                    "' queue " + i + ": " + Errno.describe(-rc) +
                    (rc == -Errno.EPERM ? " (creating a TAP device needs CAP_NET_ADMIN)" : ""));
            }
        }
        return fds;
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    public TapUplinkConfig settings()
    {
        return settings;
    }

    @Override
    public List<? extends DeviceQueue> queues()
    {
        return List.of();
    }

    @Override
    public synchronized void start()
    {
        if (!started)
        {
            started = true;
            switches.join(settings.vswitch(), port);
        }
    }

    @Override
    public void quiesce()
    {
        // the switch stops polling its ports when it is quiesced itself
    }

    @Override
    public synchronized void close()
    {
        if (switches.leave(settings.vswitch(), port))
        {
            port.awaitDetached(DETACH_WAIT_MS);
        }
        for (final int fd : fds)
        {
            FileIo.close(fd);
        }
        counters.close();
        port.close();
    }

    /** Frames received, transmitted, received straight into their VM's buffers, and read into own memory. */
    public long[] totals()
    {
        return new long[] {counters.rxFramesTotal(), counters.txFramesTotal(), counters.zeroCopyTotal(), counters.copyTotal()};
    }
}
