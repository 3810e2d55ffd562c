package io.vplane.perf.uplink;

import io.vplane.engine.linux.Iovec;
import io.vplane.engine.linux.MsgHdr;
import io.vplane.engine.linux.UdpSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Sends UDP datagrams of one size to one address as fast as {@code sendmmsg} takes them (batches
 * of {@value #BATCH}), for a number of seconds, then prints {@code sent=N seconds=S pps=P}. Run it
 * inside the namespace of the uplink's far side: {@code ip netns exec NS java ... UdpFlood ADDR PORT PAYLOAD SECONDS}.
 * A payload of 18 bytes makes 64-byte Ethernet frames (with FCS).
 */
public final class UdpFlood
{
    private static final int BATCH = 64;

    private UdpFlood()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 4)
        {
            System.err.println("usage: UdpFlood ADDRESS PORT PAYLOAD_BYTES SECONDS");
            System.exit(2);
        }
        final Inet4Address target = (Inet4Address)InetAddress.ofLiteral(args[0]);
        final int port = Integer.parseInt(args[1]);
        final int payload = Integer.parseInt(args[2]);
        final long seconds = Long.parseLong(args[3]);
        final int fd = UdpSockets.openReusePort((Inet4Address)InetAddress.ofLiteral("0.0.0.0"), 0);
        if (fd < 0)
        {
            throw new IllegalStateException("socket: " + fd);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment data = arena.allocate(Math.max(payload, 1), 8);
            final MemorySegment name = arena.allocate(UdpSockets.SOCKADDR_IN_SIZE, 8);
            UdpSockets.writeSockaddr(name, 0, target, port);
            final MemorySegment iovec = arena.allocate(Iovec.SIZE, 8);
            iovec.set(ValueLayout.JAVA_LONG, Iovec.BASE_OFFSET, data.address());
            iovec.set(ValueLayout.JAVA_LONG, Iovec.LENGTH_OFFSET, payload);
            final MemorySegment messages = arena.allocate((long)BATCH * UdpSockets.MMSGHDR_SIZE, 8);
            for (int i = 0; i < BATCH; i++)
            {
                final long msg = (long)i * UdpSockets.MMSGHDR_SIZE;
                messages.set(ValueLayout.JAVA_LONG, msg + MsgHdr.NAME_OFFSET, name.address());
                messages.set(ValueLayout.JAVA_INT, msg + MsgHdr.NAMELEN_OFFSET, UdpSockets.SOCKADDR_IN_SIZE);
                messages.set(ValueLayout.JAVA_LONG, msg + MsgHdr.IOV_OFFSET, iovec.address());
                messages.set(ValueLayout.JAVA_LONG, msg + MsgHdr.IOVLEN_OFFSET, 1L);
            }
            final long start = System.nanoTime();
            final long end = start + seconds * 1_000_000_000L;
            long sent = 0;
            long now;
            while ((now = System.nanoTime()) - end < 0)
            {
                final int n = UdpSockets.sendmmsg(fd, messages.address(), BATCH);
                if (n > 0)
                {
                    sent += n;
                }
                else if (n < 0)
                {
                    Thread.onSpinWait();
                }
            }
            final double elapsed = (now - start) / 1e9;
            System.out.printf("sent=%d seconds=%.2f pps=%.0f%n", sent, elapsed, sent / elapsed);
        }
    }
}
