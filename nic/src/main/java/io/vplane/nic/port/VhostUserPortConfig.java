package io.vplane.nic.port;

import java.util.Locale;

/**
 * A vhost-user net port: a virtio-net device served to a VM or DPDK virtio-user over a Unix socket.
 *
 * @param name             unique device name
 * @param socketPath       Unix socket path of the vhost-user channel
 * @param mode             who listens on {@code socketPath}
 * @param queuePairs       virtio-net queue pairs offered (each a receive and a transmit virtqueue)
 * @param mac              MAC address in the device config space, {@code 52:54:00:12:34:56}
 * @param guestTx          what happens to frames the guest sends
 * @param guestRx          what fills the guest's receive buffers
 * @param sourceFrameBytes length of a generated frame without the virtio-net header and FCS
 * @param vswitch          name of the switch the port joins with {@code guestTx: switch}
 */
public record VhostUserPortConfig(
    String name,
    String socketPath,
    Mode mode,
    int queuePairs,
    String mac,
    GuestTx guestTx,
    GuestRx guestRx,
    int sourceFrameBytes,
    String vswitch)
{
    /** Who listens on the socket. */
    public enum Mode
    {
        /** vplane listens and the frontend connects. */
        SERVER,
        /** vplane connects to a listening frontend and reconnects when it goes away. */
        CLIENT;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happens to frames the guest sends. */
    public enum GuestTx
    {
        /** Counted and dropped. */
        SINK,
        /** Back into the same pair's receive queue. */
        LOOPBACK,
        /** Into the vSwitch {@code vswitch}, which also feeds the receive queues. */
        SWITCH;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What fills the guest's receive buffers. */
    public enum GuestRx
    {
        /** Only what loopback or the switch sends. */
        IDLE,
        /** Generated frames, flat out. */
        SOURCE;

        /** As written in the file. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A port that joins no switch: {@code vswitch} takes its default. */
    public VhostUserPortConfig(
        final String name,
        final String socketPath,
        final Mode mode,
        final int queuePairs,
        final String mac,
        final GuestTx guestTx,
        final GuestRx guestRx,
        final int sourceFrameBytes)
    {
        this(name, socketPath, mode, queuePairs, mac, guestTx, guestRx, sourceFrameBytes, VhostUserSection.VSWITCH);
    }

    public boolean switched()
    {
        return GuestTx.SWITCH == guestTx;
    }
}
