package io.vplane.nic.uplink;

import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.UdpSockets;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.vswitch.VswitchRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A VXLAN uplink as an engine device: one UDP socket per VNI, all bound to the same address and
 * port in one SO_REUSEPORT group, steered by the VNI with a classic BPF program
 * ({@link VniSteering}), and one switch port per VNI ({@link VxlanPort}) receiving into its VM's
 * buffers. No queue of its own: the ports run on the switch's {@code net} worker, with plain
 * non-blocking {@code recvmmsg}/{@code sendmsg} (io_uring is not used; said at start).
 */
public final class VxlanUplinkDevice extends UplinkDevice
{
    private static final Logger LOG = LoggerFactory.getLogger(VxlanUplinkDevice.class);
    private static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    private final String name;
    private final VxlanUplinkConfig settings;
    private final int sockets;

    public VxlanUplinkDevice(final DeviceSpec spec, final VxlanUplinkConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        this(spec, settings, context, switches, lenders, openGroup(settings), new ArrayList<>(), new ArrayList<>());
    }

    private VxlanUplinkDevice(final DeviceSpec spec, final VxlanUplinkConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders, final int[] fds, final List<VxlanPort> ports,
        final List<UplinkCounters> counters)
    {
        super(spec, settings.vswitch(), switches, fds, ports(spec, settings, context, lenders, fds, ports, counters), counters);
        this.name = spec.name();
        this.settings = settings;
        this.sockets = fds.length;
    }

    /** One port per VNI, each on its socket of the group; fills {@code ports} and {@code counters}. */
    private static List<VxlanPort> ports(final DeviceSpec spec, final VxlanUplinkConfig settings, final DeviceContext context,
        final GuestRxLenders lenders, final int[] fds, final List<VxlanPort> ports, final List<UplinkCounters> counters)
    {
        final int[] remotes = settings.remotes().stream().mapToInt(VxlanUplinkDevice::ipv4).toArray();
        for (int i = 0; i < fds.length; i++)
        {
            final VxlanUplinkConfig.Segment segment = settings.vnis().get(i);
            final String portName = portName(spec.name(), segment.vni());
            final UplinkCounters portCounters = new UplinkCounters(context.counters(), portName);
            counters.add(portCounters);
            ports.add(new VxlanPort(portName, fds[i], segment.vni(), settings.udpPort(), remotes,
                lenders.slot(segment.vmPort()), settings.vswitch(), settings.zeroCopy(), portCounters, context.errors()));
        }
        return ports;
    }

    /** The switch port (and counter label) of one VNI. */
    public static String portName(final String uplink, final int vni)
    {
        return uplink + "-" + vni;
    }

    private static int[] openGroup(final VxlanUplinkConfig settings)
    {
        final Inet4Address bind = (Inet4Address)InetAddress.ofLiteral(settings.bindAddress());
        final int[] fds = new int[settings.vnis().size()];
        int opened = 0;
        try
        {
            for (; opened < fds.length; opened++)
            {
                // sockets join the group in VNI order: the steering program returns these indexes
                final int fd = UdpSockets.openReusePort(bind, settings.udpPort());
                if (fd < 0)
                {
                    throw new IllegalStateException("uplink " + settings.name() + ": cannot bind UDP " +
                        settings.bindAddress() + ":" + settings.udpPort() + ": " + Errno.describe(-fd));
                }
                fds[opened] = fd;
                UdpSockets.setReceiveBuffer(fd, RECEIVE_BUFFER_BYTES);
            }
            final int rc = UdpSockets.attachReusePortProgram(fds[0],
                VniSteering.program(settings.vnis().stream().map(VxlanUplinkConfig.Segment::vni).toList()));
            if (rc < 0)
            {
                throw new IllegalStateException("uplink " + settings.name() + ": SO_ATTACH_REUSEPORT_CBPF failed: " +
                    Errno.describe(-rc));
            }
            return fds;
        }
        catch (final RuntimeException ex)
        {
            for (int i = 0; i < opened; i++)
            {
                FileIo.close(fds[i]);
            }
            throw ex;
        }
    }

    static int ipv4(final String literal)
    {
        final byte[] bytes = InetAddress.ofLiteral(literal).getAddress();
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF;
    }

    @Override
    protected void starting()
    {
        LOG.info("VXLAN uplink {}: {} VNI sockets on {}:{} in one SO_REUSEPORT group steered by VNI (classic BPF); " +
            "receive with recvmmsg, send with sendmsg (plain syscalls, no io_uring); remotes {}",
            name, sockets, settings.bindAddress(), settings.udpPort(), settings.remotes());
    }
}
