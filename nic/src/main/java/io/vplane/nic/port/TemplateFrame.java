package io.vplane.nic.port;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A generated frame held in native memory: Ethernet broadcast from the port's MAC, IPv4/UDP, zero
 * payload, {@code length} bytes (without FCS), as DPDK's txonly mode sends.
 */
final class TemplateFrame implements FrameSource
{
    private static final int ETHERNET_HEADER = 14;
    private static final int IPV4_HEADER = 20;
    private static final int UDP_HEADER = 8;

    private final MemorySegment bytes;

    TemplateFrame(final Arena arena, final byte[] sourceMac, final int length)
    {
        bytes = arena.allocate(length, 8);
        for (int i = 0; i < 6; i++)
        {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte)0xFF);
            bytes.set(ValueLayout.JAVA_BYTE, 6 + i, sourceMac[i]);
        }
        bytes.set(ValueLayout.JAVA_BYTE, 12, (byte)0x08);
        if (length >= ETHERNET_HEADER + IPV4_HEADER + UDP_HEADER)
        {
            final int ipLength = length - ETHERNET_HEADER;
            final long ip = ETHERNET_HEADER;
            bytes.set(ValueLayout.JAVA_BYTE, ip, (byte)0x45);
            bytes.set(ValueLayout.JAVA_BYTE, ip + 2, (byte)(ipLength >>> 8));
            bytes.set(ValueLayout.JAVA_BYTE, ip + 3, (byte)ipLength);
            bytes.set(ValueLayout.JAVA_BYTE, ip + 8, (byte)64);
            bytes.set(ValueLayout.JAVA_BYTE, ip + 9, (byte)17);
            final int[] addresses = {198, 18, 0, 1, 198, 18, 0, 2};
            for (int i = 0; i < addresses.length; i++)
            {
                bytes.set(ValueLayout.JAVA_BYTE, ip + 12 + i, (byte)addresses[i]);
            }
            int sum = 0;
            for (int i = 0; i < IPV4_HEADER; i += 2)
            {
                sum += ((bytes.get(ValueLayout.JAVA_BYTE, ip + i) & 0xFF) << 8) | (bytes.get(ValueLayout.JAVA_BYTE, ip + i + 1) & 0xFF);
            }
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
            bytes.set(ValueLayout.JAVA_BYTE, ip + 10, (byte)(sum >>> 8));
            bytes.set(ValueLayout.JAVA_BYTE, ip + 11, (byte)sum);
            final long udp = ip + IPV4_HEADER;
            final int udpLength = ipLength - IPV4_HEADER;
            bytes.set(ValueLayout.JAVA_BYTE, udp, (byte)0x04);
            bytes.set(ValueLayout.JAVA_BYTE, udp + 2, (byte)0x04);
            bytes.set(ValueLayout.JAVA_BYTE, udp + 4, (byte)(udpLength >>> 8));
            bytes.set(ValueLayout.JAVA_BYTE, udp + 5, (byte)udpLength);
        }
    }

    @Override
    public int frameLength()
    {
        return (int)bytes.byteSize();
    }

    @Override
    public void copyTo(final int from, final MemorySegment dst, final long dstOffset, final int length)
    {
        MemorySegment.copy(bytes, from, dst, dstOffset, length);
    }
}
