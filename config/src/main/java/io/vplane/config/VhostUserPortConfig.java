package io.vplane.config;

/**
 * A vhost-user net port: a virtio-net device served to a VM or DPDK virtio-user over a Unix socket.
 *
 * @param name             unique device name
 * @param socketPath       Unix socket path of the vhost-user channel
 * @param mode             {@code server}: vplane listens on {@code socketPath} and the frontend connects;
 *                         {@code client}: vplane connects to a listening frontend and reconnects when it goes away
 * @param queuePairs       virtio-net queue pairs offered (each a receive and a transmit virtqueue)
 * @param mac              MAC address in the device config space, {@code 52:54:00:12:34:56}
 * @param guestTx          what happens to frames the guest sends: {@code sink} (count, drop),
 *                         {@code loopback} (back into the same pair's receive queue) or {@code switch}
 *                         (the port is a port of the vSwitch {@code vswitch}, which also feeds its receive queue)
 * @param guestRx          what fills the guest's receive buffers: {@code idle} (only loopback) or
 *                         {@code source} (generated frames, flat out)
 * @param sourceFrameBytes length of a generated frame without the virtio-net header and FCS
 * @param vswitch          name of the switch the port joins with {@code guestTx: switch}
 */
public record VhostUserPortConfig(
    String name,
    String socketPath,
    String mode,
    int queuePairs,
    String mac,
    String guestTx,
    String guestRx,
    int sourceFrameBytes,
    String vswitch)
{
    public static final String MODE_SERVER = "server";
    public static final String MODE_CLIENT = "client";
    public static final String GUEST_TX_SINK = "sink";
    public static final String GUEST_TX_LOOPBACK = "loopback";
    public static final String GUEST_TX_SWITCH = "switch";
    public static final String GUEST_RX_IDLE = "idle";
    public static final String GUEST_RX_SOURCE = "source";

    /** A port that joins no switch: {@code vswitch} takes its default. */
    public VhostUserPortConfig(
        final String name,
        final String socketPath,
        final String mode,
        final int queuePairs,
        final String mac,
        final String guestTx,
        final String guestRx,
        final int sourceFrameBytes)
    {
        this(name, socketPath, mode, queuePairs, mac, guestTx, guestRx, sourceFrameBytes, ConfigDefaults.VHOST_USER_VSWITCH);
    }

    public boolean switched()
    {
        return GUEST_TX_SWITCH.equals(guestTx);
    }
}
