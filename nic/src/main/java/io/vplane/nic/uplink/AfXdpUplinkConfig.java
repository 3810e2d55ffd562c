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
 */
public record AfXdpUplinkConfig(String name, String ifName, int queueId, String vswitch, Mode mode, Attach attach,
    int rxRingSize, int txRingSize, int frameSize, String vmPort, boolean guestBuffers)
{
    /** Without a VM port or guest buffers. */
    public AfXdpUplinkConfig(final String name, final String ifName, final int queueId, final String vswitch, final Mode mode,
        final Attach attach, final int rxRingSize, final int txRingSize, final int frameSize)
    {
        this(name, ifName, queueId, vswitch, mode, attach, rxRingSize, txRingSize, frameSize, null, true);
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
