package io.vplane.vsock.packet;

/**
 * The first line a host program sends on the hybrid-vsock socket (Firecracker, Cloud Hypervisor,
 * vhost-device-vsock): {@code CONNECT <port>\n}, answered with {@code OK <host-port>\n}. Fed one
 * byte at a time, so not a byte of the stream after the line is taken from the socket; bounded, so
 * a client that never ends its line is cut off.
 */
public final class ConnectLine
{
    /** "CONNECT 4294967295\r\n" is 20 bytes; anything much longer is not a handshake. */
    public static final int MAX_LENGTH = 32;
    public static final int INCOMPLETE = -1;
    public static final int BAD = -2;
    private static final byte[] PREFIX = {'C', 'O', 'N', 'N', 'E', 'C', 'T', ' '};

    private final byte[] line = new byte[MAX_LENGTH];
    private int length;

    /**
     * @return the port (0..2^32-1 as a long) once the line ended, {@link #INCOMPLETE} while it has not,
     *         or {@link #BAD} when it cannot become a handshake
     */
    public long accept(final byte b)
    {
        if (length == MAX_LENGTH)
        {
            return BAD;
        }
        line[length++] = b;
        if (b != '\n')
        {
            return length <= PREFIX.length && b != PREFIX[length - 1] ? BAD : INCOMPLETE;
        }
        return port();
    }

    /** The line so far, printable, for the one log line a bad handshake gets. */
    public String text()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            final int c = line[i] & 0xFF;
            text.append(c >= 0x20 && c < 0x7F ? String.valueOf((char)c) : String.format("\\x%02x", c));
        }
        return text.toString();
    }

    private long port()
    {
        int end = length - 1;
        if (end > 0 && line[end - 1] == '\r')
        {
            end--;
        }
        if (end <= PREFIX.length || end - PREFIX.length > 10)
        {
            return BAD;
        }
        long port = 0;
        for (int i = PREFIX.length; i < end; i++)
        {
            final int digit = line[i] - '0';
            if (digit < 0 || digit > 9)
            {
                return BAD;
            }
            port = port * 10 + digit;
        }
        return port <= 0xFFFF_FFFFL ? port : BAD;
    }

    /** The reply once the guest accepted: {@code OK <hostPort>\n}. */
    public static byte[] ok(final int hostPort)
    {
        return ("OK " + Integer.toUnsignedString(hostPort) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
