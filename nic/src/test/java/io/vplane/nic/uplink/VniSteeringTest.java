package io.vplane.nic.uplink;

import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.UdpSockets;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The VNI steering program in the kernel: a SO_REUSEPORT group on loopback, datagrams with VXLAN headers. */
class VniSteeringTest
{
    private static final List<Integer> VNIS = List.of(42, 7, 16_777_215);

    @Test
    void shouldDeliverEachVniToItsOwnSocketOfTheGroup() throws Exception
    {
        final Inet4Address loopback = (Inet4Address)InetAddress.ofLiteral("127.0.0.1");
        final int port = freeUdpPort();
        final int[] fds = new int[VNIS.size()];
        try (Arena arena = Arena.ofConfined())
        {
            for (int i = 0; i < fds.length; i++)
            {
                fds[i] = UdpSockets.openReusePort(loopback, port);
                assertThat(fds[i]).as("socket %d of the group", i).isPositive();
            }
            assertThat(UdpSockets.attachReusePortProgram(fds[0], VniSteering.program(VNIS))).isZero();
            // several source ports, so the kernel's hash alone would spread them over the group
            for (int round = 0; round < 8; round++)
            {
                for (final int vni : VNIS)
                {
                    try (DatagramSocket from = new DatagramSocket())
                    {
                        final byte[] datagram = vxlan(vni, round);
                        from.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(loopback, port)));
                    }
                }
            }
            final MemorySegment buffer = arena.allocate(2048);
            for (int i = 0; i < fds.length; i++)
            {
                int received = 0;
                for (long n; (n = FileIo.read(fds[i], buffer, buffer.byteSize())) > 0; )
                {
                    assertThat(n).isEqualTo(8 + 14);
                    final int vni = Integer.reverseBytes(buffer.get(ValueLayout.JAVA_INT, 4)) >>> 8;
                    assertThat(vni).as("datagram on socket %d", i).isEqualTo(VNIS.get(i));
                    received++;
                }
                assertThat(received).as("datagrams on socket %d", i).isEqualTo(8);
            }
        }
        finally
        {
            for (final int fd : fds)
            {
                FileIo.close(fd);
            }
        }
    }

    @Test
    void shouldLetTheKernelHashAnUnknownVni() throws Exception
    {
        final byte[] program = VniSteering.program(VNIS);
        // ld, rsh, two per VNI, and the final ret #count past the group
        assertThat(program.length).isEqualTo((3 + 2 * VNIS.size()) * UdpSockets.FILTER_SIZE);
        final ByteBuffer last = ByteBuffer.wrap(program, program.length - 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(last.getShort() & 0xFFFF).isEqualTo(UdpSockets.BPF_RET_K);
        last.getShort();
        assertThat(last.getInt()).isEqualTo(VNIS.size());
    }

    private static byte[] vxlan(final int vni, final int round)
    {
        final ByteBuffer datagram = ByteBuffer.allocate(8 + 14);
        datagram.put((byte)VxlanPort.FLAG_VNI).put(new byte[3]).putInt(vni << 8);
        datagram.put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, (byte)round, 8, 0});
        return datagram.array();
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.ofLiteral("127.0.0.1")))
        {
            return probe.getLocalPort();
        }
    }
}
