package io.vplane.vsock.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How the host reaches a VM's agent, chosen from the VM's interface information:
 * {@code vsock-user} (through the VM's vsock device: its hybrid socket, {@code CONNECT <port>}),
 * {@code vsock} (AF_VSOCK {@code cid:port}, a VM on the kernel's vhost-vsock), {@code tcp}
 * ({@code host:port}) or {@code unix} (a socket path).
 */
public interface ControlTransport
{
    /** How long an AF_VSOCK connect may wait for the guest (as the kernel's default, 2 s). */
    int VSOCK_CONNECT_TIMEOUT_MS = 2_000;
    /** A connected stream to the agent. */
    ByteChannel open() throws IOException;

    String describe();

    static ControlTransport tcp(final String host, final int port)
    {
        return new ControlTransport()
        {
            @Override
            public ByteChannel open() throws IOException
            {
                final SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
                // small frames answered one by one: Nagle would hold each for the peer's delayed ACK
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return channel;
            }

            @Override
            public String describe()
            {
                return "tcp:" + host + ":" + port;
            }
        };
    }

    static ControlTransport vsock(final long cid, final long port)
    {
        return new ControlTransport()
        {
            @Override
            public ByteChannel open() throws IOException
            {
                return VsockSocket.connect(cid, port, VSOCK_CONNECT_TIMEOUT_MS);
            }

            @Override
            public String describe()
            {
                return "vsock:" + cid + ":" + port;
            }
        };
    }

    static ControlTransport unix(final Path path)
    {
        return new ControlTransport()
        {
            @Override
            public ByteChannel open() throws IOException
            {
                return SocketChannel.open(UnixDomainSocketAddress.of(path));
            }

            @Override
            public String describe()
            {
                return "unix:" + path;
            }
        };
    }

    /** Through a vsock device's hybrid socket to guest port {@code port}. */
    static ControlTransport vsockUser(final Path udsPath, final int port)
    {
        return new ControlTransport()
        {
            @Override
            public ByteChannel open() throws IOException
            {
                final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try
                {
                    channel.connect(UnixDomainSocketAddress.of(udsPath));
                    channel.write(ByteBuffer.wrap(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII)));
                    final String line = readLine(channel, port);
                    if (!line.startsWith("OK "))
                    {
                        throw new IOException("vsock " + udsPath + " port " + port + ": answered '" + line + "'");
                    }
                    return channel;
                }
                catch (final IOException ex)
                {
                    channel.close();
                    throw ex;
                }
            }

            @Override
            public String describe()
            {
                return "vsock-user:" + udsPath + ":" + port;
            }
        };
    }

    /** The handshake's answer, one byte at a time: what follows it belongs to the stream. */
    private static String readLine(final SocketChannel channel, final int port) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        final ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() < 64)
        {
            one.clear();
            if (channel.read(one) < 0)
            {
                // what the device does for RST, for a REQUEST the guest leaves unanswered (its
                // connectTimeoutMs) and for a CONNECT while no guest driver is up
                throw new IOException("the vsock device closed the connection before OK: nothing in the guest accepted port " +
                    port + " (refused, no answer within the device's connectTimeoutMs, or no guest driver up)");
            }
            if (one.get(0) == '\n')
            {
                return line.toString();
            }
            line.append((char)one.get(0));
        }
        throw new IOException("handshake line too long");
    }
}
