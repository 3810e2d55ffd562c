package io.vplane.nic.uplink;

import io.vplane.config.SettingRange;

import java.util.Locale;

/**
 * An AF_XDP uplink: one queue of a network interface as a port of the vSwitch, its frames redirected
 * by an XDP program into an AF_XDP socket.
 *
 * @param name        unique device name, the switch port name and counter label
 * @param ifName      the interface (it must exist; a veth end, a NIC)
 * @param queueId     the interface's receive queue the socket binds to
 * @param vswitch     the switch the uplink joins
 * @param mode        how frames get between the driver and the UMEM
 * @param attach      which XDP hook the program runs in
 * @param rxRingSize  entries of the rx and fill rings, and UMEM chunks that receive
 * @param txRingSize  entries of the tx and completion rings, and UMEM chunks that transmit
 * @param frameSize   bytes of a UMEM chunk: a received or sent frame fits in one
 * @param vmPort      the switched vhost-user port whose guest receive buffers the socket receives into
 *                    (buffer-address substitution), or null: receive into own memory, the switch copies
 * @param guestBuffers receive into {@code vmPort}'s buffers (the UMEM over its memory); false: the copy path
 * @param mtu         the longest IP packet the interface carries: with guest buffers, the kernel may write
 *                    a frame of {@code mtu + 18} bytes ({@link #frameRoom}) into a buffer, no more (the UMEM
 *                    headroom takes the rest of a chunk), so buffers of that size (1536-byte Linux ones at 1500)
 *                    can be lent; a longer frame is dropped by the kernel
 */
public record AfXdpUplinkConfig(String name, String ifName, int queueId, String vswitch, Mode mode, Attach attach,
    int rxRingSize, int txRingSize, int frameSize, String vmPort, boolean guestBuffers, int mtu)
{
    /** Ethernet header and one VLAN tag: a frame's bytes beyond the MTU. */
    public static final int FRAME_OVERHEAD = 18;
    /** The kernel's XDP_PACKET_HEADROOM, before every received frame. */
    public static final int XDP_PACKET_HEADROOM = 256;
    public static final int DEFAULT_MTU = 1500;
    public static final SettingRange MTU = new SettingRange(68, 9000);

    /** With the default MTU. */
    public AfXdpUplinkConfig(final String name, final String ifName, final int queueId, final String vswitch, final Mode mode,
        final Attach attach, final int rxRingSize, final int txRingSize, final int frameSize, final String vmPort,
        final boolean guestBuffers)
    {
        this(name, ifName, queueId, vswitch, mode, attach, rxRingSize, txRingSize, frameSize, vmPort, guestBuffers, DEFAULT_MTU);
    }

    /** Without a VM port or guest buffers. */
    public AfXdpUplinkConfig(final String name, final String ifName, final int queueId, final String vswitch, final Mode mode,
        final Attach attach, final int rxRingSize, final int txRingSize, final int frameSize)
    {
        this(name, ifName, queueId, vswitch, mode, attach, rxRingSize, txRingSize, frameSize, null, true);
    }

    /** Bytes the kernel may write for one received frame: the MTU's frame. */
    public int frameRoom()
    {
        return mtu + FRAME_OVERHEAD;
    }

    /** The UMEM headroom (XDP_UMEM_REG) that leaves the kernel {@link #frameRoom} of a chunk. */
    public int umemHeadroom()
    {
        return frameSize - XDP_PACKET_HEADROOM - frameRoom();
    }

    /** Why {@code mtu} does not fit a chunk of {@code frameSize}, or null when it does. */
    public static String mtuProblem(final int mtu, final int frameSize)
    {
        return mtu + FRAME_OVERHEAD + XDP_PACKET_HEADROOM > frameSize
            ? "mtu " + mtu + " needs frames of " + (mtu + FRAME_OVERHEAD) + " bytes behind the kernel's " + XDP_PACKET_HEADROOM +
              " of headroom: more than frameSize " + frameSize + " (lower mtu to at most " +
              (frameSize - XDP_PACKET_HEADROOM - FRAME_OVERHEAD) + " or raise frameSize)"
            : null;
    }

    /** Whether frames are received into the VM port's buffers. */
    public boolean substitutes()
    {
        return null != vmPort && guestBuffers;
    }

    public static final SettingRange QUEUE_ID = new SettingRange(0, 1023);
    public static final SettingRange RING_SIZE = new SettingRange(64, 16_384);
    public static final SettingRange FRAME_SIZE = new SettingRange(2048, 4096);

    public AfXdpUplinkConfig
    {
        QUEUE_ID.check("queueId", queueId);
        RING_SIZE.check("rxRingSize", rxRingSize);
        RING_SIZE.check("txRingSize", txRingSize);
        FRAME_SIZE.check("frameSize", frameSize);
        MTU.check("mtu", mtu);
        final String problem = mtuProblem(mtu, frameSize);
        if (null != problem)
        {
            throw new IllegalArgumentException(problem);
        }
        if (mode == Mode.ZEROCOPY && attach == Attach.GENERIC)
        {
            throw new IllegalArgumentException("mode zerocopy needs the driver's XDP hook, not attach: generic");
        }
    }

    /** Between the driver and the UMEM: the kernel copies ({@code copy}, any driver), the driver itself works in the UMEM ({@code zerocopy}), or zero copy where the driver has it ({@code auto}). */
    public enum Mode
    {
        COPY, ZEROCOPY, AUTO;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The XDP hook: the driver's own ({@code native}), the generic one after the skb is built ({@code generic}), or native where the driver has it ({@code auto}). */
    public enum Attach
    {
        AUTO, NATIVE, GENERIC;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
