package io.vplane.nic.uplink;

import io.vplane.engine.linux.UdpSockets;

import java.util.List;

/**
 * The classic BPF program that steers a VXLAN datagram to the socket of its VNI within the
 * uplink's SO_REUSEPORT group. The program sees the UDP payload (the kernel pulls the UDP header
 * before running it), so the VNI is the top 24 bits of the big-endian word at offset 4; it returns
 * the index of the VNI's socket (sockets join the group in VNI order). An unknown VNI returns an
 * index past the group, and the kernel falls back to its hash: that socket's port drops it as
 * {@code wrong_vni}.
 *
 * <pre>
 *   ld  [4]            A = VNI << 8 | reserved
 *   rsh #8             A = VNI
 *   jeq #vni0, 0, 1    ret #0
 *   jeq #vni1, 0, 1    ret #1   ...
 *   ret #count
 * </pre>
 */
final class VniSteering
{
    private VniSteering()
    {
    }

    static byte[] program(final List<Integer> vnis)
    {
        final int count = vnis.size();
        final byte[] program = new byte[(3 + 2 * count) * UdpSockets.FILTER_SIZE];
        int at = 0;
        UdpSockets.instruction(program, at++, UdpSockets.BPF_LD_W_ABS, 0, 0, 4);
        UdpSockets.instruction(program, at++, UdpSockets.BPF_ALU_RSH_K, 0, 0, 8);
        for (int i = 0; i < count; i++)
        {
            UdpSockets.instruction(program, at++, UdpSockets.BPF_JMP_JEQ_K, 0, 1, vnis.get(i));
            UdpSockets.instruction(program, at++, UdpSockets.BPF_RET_K, 0, 0, i);
        }
        UdpSockets.instruction(program, at, UdpSockets.BPF_RET_K, 0, 0, count);
        return program;
    }
}
