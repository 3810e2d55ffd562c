package io.vplane.nic.uplink;

import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.Bpf;
import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.NetInterfaces;
import io.vplane.engine.linux.SockaddrXdp;
import io.vplane.engine.linux.XdpSocket;
import io.vplane.engine.linux.XdpUmemReg;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.engine.linux.XskRedirectProgram;
import io.vplane.nic.vswitch.VswitchRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An AF_XDP uplink: one queue of an interface as one switch port, on the switch's worker. Opening
 * loads the XSK redirect program over an XSKMAP of its own and attaches it to the interface as a
 * BPF link (in the driver's hook or the generic one, as {@code attach} says; {@code auto} tries the
 * driver's first), opens the socket with its UMEM and rings, bound to the queue in the mode asked,
 * and puts it in the map at the queue's key. Closing the link's descriptor detaches the program, so
 * nothing is left on the interface when the uplink goes, even if the daemon dies.
 */
public final class AfXdpUplinkDevice extends UplinkDevice
{
    private static final Logger LOG = LoggerFactory.getLogger(AfXdpUplinkDevice.class);
    /** Binds tried, 2 ms apart, while the queue is still held by the socket closed before. */
    private static final int BIND_ATTEMPTS = 250;

    private final AfXdpUplinkConfig settings;
    private final AfXdpPort port;
    private final String hook;

    private AfXdpUplinkDevice(final DeviceSpec spec, final AfXdpUplinkConfig settings, final VswitchRegistry switches,
        final int[] fds, final AfXdpPort port, final UplinkCounters counters, final String hook)
    {
        super(spec, settings.vswitch(), switches, fds, List.of(port), List.of(counters));
        this.settings = settings;
        this.port = port;
        this.hook = hook;
    }

    /**
     * Sets up the program, the socket and the port.
     *
     * @throws IllegalStateException saying which step failed and why (the errno, and what to do about it)
     */
    public static AfXdpUplinkDevice open(final DeviceSpec spec, final AfXdpUplinkConfig settings, final DeviceContext context,
        final VswitchRegistry switches, final GuestRxLenders lenders)
    {
        final UplinkCounters counters = new UplinkCounters(context.counters(), spec.name());
        try
        {
            final Opened opened = openPort(settings, settings.substitutes() ? lenders.slot(settings.vmPort()) : null, counters,
                context.errors());
            return new AfXdpUplinkDevice(spec, settings, switches, opened.fds(), opened.port(), counters, opened.hook());
        }
        catch (final RuntimeException ex)
        {
            counters.close();
            throw ex;
        }
    }

    /** The port and the descriptors that keep its program attached (link, program, map: closed in that order). */
    record Opened(AfXdpPort port, int[] fds, String hook)
    {
    }

    /** @param vmSlot the VM port whose buffers it receives into, or null */
    static Opened openPort(final AfXdpUplinkConfig settings, final GuestRxLenders.Slot vmSlot, final UplinkCounters counters,
        final ErrorLog errors)
    {
        final String what = "uplink " + settings.name() + ": ";
        if (!XdpSocket.capability().isAvailable())
        {
            throw new IllegalStateException(what + XdpSocket.capability().missingReason());
        }
        final int ifIndex = NetInterfaces.index(settings.ifName());
        if (ifIndex < 0)
        {
            throw new IllegalStateException(what + "no interface '" + settings.ifName() + "': " + Errno.describe(-ifIndex));
        }
        final int map = Bpf.createMap(Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, settings.queueId() + 1, "vplane_xsks");
        if (map < 0)
        {
            throw new IllegalStateException(what + "bpf(BPF_MAP_CREATE) of an XSKMAP failed: " + Errno.describe(-map) +
                (map == -Errno.EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN, or root)" : ""));
        }
        int program = -1;
        int link = -1;
        try
        {
            program = XskRedirectProgram.load(map);
            final boolean nativeFirst = settings.attach() != AfXdpUplinkConfig.Attach.GENERIC;
            link = Bpf.attachXdp(program, ifIndex, nativeFirst ? Bpf.XDP_FLAGS_DRV_MODE : Bpf.XDP_FLAGS_SKB_MODE);
            String hook = nativeFirst ? "native" : "generic";
            if (link < 0 && nativeFirst && settings.attach() == AfXdpUplinkConfig.Attach.AUTO && link != -Errno.EBUSY)
            {
                LOG.info("AF_XDP uplink {}: {} has no native XDP hook ({}), attaching in generic mode", settings.name(),
                    settings.ifName(), Errno.describe(-link));
                link = Bpf.attachXdp(program, ifIndex, Bpf.XDP_FLAGS_SKB_MODE);
                hook = "generic";
            }
            if (link < 0)
            {
                throw new IllegalStateException(what + "cannot attach the XDP program to " + settings.ifName() + " (" + hook +
                    "): " + Errno.describe(-link) + (link == -Errno.EBUSY
                    ? " (the interface has an XDP program already: see `ip link show dev " + settings.ifName() + "`)" : ""));
            }
            final AfXdpPort port = new AfXdpPort(settings.name(), umem -> openSocket(settings, ifIndex, map, umem), vmSlot,
                settings.vswitch(), settings.frameSize(), settings.umemHeadroom(), settings.rxRingSize(), settings.txRingSize(),
                counters, errors);
            // the link first: closing it detaches the program
            return new Opened(port, new int[] {link, program, map}, hook);
        }
        catch (final RuntimeException ex)
        {
            for (final int fd : new int[] {link, program, map})
            {
                if (fd >= 0)
                {
                    FileIo.close(fd);
                }
            }
            throw ex.getMessage() != null && ex.getMessage().startsWith(what) ? ex : new IllegalStateException(what + ex.getMessage(), ex);
        }
    }

    /**
     * A socket on the uplink's queue, over own memory ({@code umem} null) or over {@code umem} in
     * unaligned-chunk mode, put in the XSKMAP. The queue of a socket just closed may still be bound
     * while the kernel lets go of its UMEM (released in deferred work): bind is tried again for a while.
     */
    private static XdpSocket openSocket(final AfXdpUplinkConfig settings, final int ifIndex, final int map, final MemorySegment umem)
    {
        for (int attempt = 0; ; attempt++)
        {
            final XdpSocket socket;
            try
            {
                socket = null == umem
                    ? XdpSocket.open(ifIndex, settings.queueId(), settings.rxRingSize() + settings.txRingSize(), settings.frameSize(),
                        settings.rxRingSize(), settings.txRingSize(), bindFlags(settings.mode()))
                    : XdpSocket.openOver(ifIndex, settings.queueId(), umem, settings.frameSize(), settings.umemHeadroom(),
                        XdpUmemReg.XDP_UMEM_UNALIGNED_CHUNK_FLAG, settings.rxRingSize(), settings.txRingSize(),
                        bindFlags(settings.mode()));
            }
            catch (final IllegalStateException ex)
            {
                if (attempt < BIND_ATTEMPTS && String.valueOf(ex.getMessage()).contains(Errno.describe(Errno.EBUSY)))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    continue;
                }
                throw ex;
            }
            final int rc = Bpf.updateElement(map, settings.queueId(), socket.fd());
            if (rc < 0)
            {
                socket.close();
                throw new IllegalStateException("bpf(BPF_MAP_UPDATE_ELEM) failed: " + Errno.describe(-rc));
            }
            return socket;
        }
    }

    static int bindFlags(final AfXdpUplinkConfig.Mode mode)
    {
        return switch (mode)
        {
            case COPY -> SockaddrXdp.XDP_COPY;
            case ZEROCOPY -> SockaddrXdp.XDP_ZEROCOPY;
            // neither flag: the kernel binds zero copy where the driver has it, else copy
            case AUTO -> 0;
        };
    }

    @Override
    protected void starting()
    {
        LOG.info("AF_XDP uplink {} on {} queue {}: XDP program in the {} hook, socket in {} mode, rings rx {} / tx {}, " +
                "{}-byte frames; receives {}", settings.name(), settings.ifName(), settings.queueId(), hook,
            port.zeroCopy() ? "zero-copy" : "copy", settings.rxRingSize(), settings.txRingSize(), settings.frameSize(),
            settings.substitutes() ? "into the buffers of VM port " + settings.vmPort() + " (UMEM over its memory, headroom " +
                settings.umemHeadroom() + ": frames up to " + settings.frameRoom() + " bytes, mtu " + settings.mtu() + ")"
                : "into own memory (copy path)");
        final int interfaceMtu = interfaceMtu(settings.ifName());
        if (settings.substitutes() && interfaceMtu > settings.mtu())
        {
            LOG.warn("AF_XDP uplink {}: {} has MTU {}, above the uplink's mtu {}: the kernel drops frames longer than {} bytes " +
                "(kernel_rx_dropped); set mtu: {}", settings.name(), settings.ifName(), interfaceMtu, settings.mtu(),
                settings.frameRoom(), interfaceMtu);
        }
    }

    /** The interface's MTU from sysfs, or -1 when it cannot be read. */
    private static int interfaceMtu(final String ifName)
    {
        try
        {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", ifName, "mtu")).trim());
        }
        catch (final IOException | NumberFormatException | InvalidPathException ex)
        {
            return -1;
        }
    }
}
