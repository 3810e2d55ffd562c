package io.vplane.nic.uplink;

import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Tun;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A TAP uplink: one switch port over the queues of one TAP device, on the switch's worker.
 * Opening creates the TAP device when it does not exist (CAP_NET_ADMIN), or attaches to an
 * existing one (persistent, owned by the daemon's user).
 */
public final class TapUplinkDevice extends UplinkDevice
{
    private static final Logger LOG = LoggerFactory.getLogger(TapUplinkDevice.class);

    private final TapUplinkConfig settings;
    private final TapPort port;

    public TapUplinkDevice(final DeviceSpec spec, final TapUplinkConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        this(spec, settings, switches, openQueues(settings), new UplinkCounters(context.counters(), spec.name()), lenders, context);
    }

    private TapUplinkDevice(final DeviceSpec spec, final TapUplinkConfig settings, final VswitchRegistry switches,
        final int[] fds, final UplinkCounters counters, final GuestRxLenders lenders, final DeviceContext context)
    {
        this(spec, settings, switches, fds, new TapPort(spec.name(), fds, lenders.slot(settings.vmPort()),
            settings.vswitch(), settings.zeroCopy(), settings.ioUring(), counters, context.errors()), counters);
    }

    private TapUplinkDevice(final DeviceSpec spec, final TapUplinkConfig settings, final VswitchRegistry switches,
        final int[] fds, final TapPort port, final UplinkCounters counters)
    {
        super(spec, settings.vswitch(), switches, fds, List.of(port), List.of(counters));
        this.settings = settings;
        this.port = port;
    }

    @Override
    protected void starting()
    {
        LOG.info("TAP uplink {} on {}: {} queue(s), {}, receive {}", settings.name(), settings.ifName(), settings.queues(),
            settings.zeroCopy() ? "into the VM's buffers (zero copy)" : "into own memory (copy path)",
            port.batched() ? "with one io_uring submit per burst" : "with one readv per frame");
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
}
