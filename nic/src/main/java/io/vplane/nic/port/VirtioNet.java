package io.vplane.nic.port;

/**
 * Virtio-net constants (virtio 1.2 §5.1): feature bits, the 12-byte header and the config space.
 * <pre>
 *   virtio_net_hdr (VERSION_1: always 12 bytes, §5.1.6):
 *     0 flags u8 | 1 gso_type u8 | 2 hdr_len u16 | 4 gso_size u16 | 6 csum_start u16 |
 *     8 csum_offset u16 | 10 num_buffers u16
 *   config space (§5.1.4):
 *     0 mac[6] | 6 status u16 | 8 max_virtqueue_pairs u16 | 10 mtu u16
 * </pre>
 */
public final class VirtioNet
{
    public static final int F_MAC = 5;
    public static final int F_MRG_RXBUF = 15;
    public static final int F_STATUS = 16;
    public static final int F_MQ = 22;
    public static final int F_RING_INDIRECT_DESC = 28;
    /** virtio 1.2 §2.7.7.2 / §2.7.10.2: used_event and avail_event instead of the ring flags. */
    public static final int F_RING_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    public static final int HEADER_SIZE = 12;
    public static final int HEADER_NUM_BUFFERS_OFFSET = 10;

    public static final int CONFIG_MAC_OFFSET = 0;
    public static final int CONFIG_STATUS_OFFSET = 6;
    public static final int CONFIG_MAX_PAIRS_OFFSET = 8;
    public static final int CONFIG_SIZE = 10;
    /** §5.1.4: link is up. */
    public static final int STATUS_LINK_UP = 1;

    private VirtioNet()
    {
    }

    /** Virtqueue 2k is receiveq k+1 (device to driver), 2k+1 is transmitq k+1. */
    public static boolean isReceiveQueue(final int index)
    {
        return (index & 1) == 0;
    }

    public static byte[] configSpace(final byte[] mac, final int queuePairs)
    {
        final byte[] space = new byte[CONFIG_SIZE];
        System.arraycopy(mac, 0, space, CONFIG_MAC_OFFSET, 6);
        space[CONFIG_STATUS_OFFSET] = STATUS_LINK_UP;
        space[CONFIG_MAX_PAIRS_OFFSET] = (byte)queuePairs;
        space[CONFIG_MAX_PAIRS_OFFSET + 1] = (byte)(queuePairs >>> 8);
        return space;
    }

    /** Parses "52:54:00:12:34:56". */
    public static byte[] parseMac(final String text)
    {
        final String[] parts = text.split(":");
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("MAC address must be six hex bytes separated by ':': " + text);
        }
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
