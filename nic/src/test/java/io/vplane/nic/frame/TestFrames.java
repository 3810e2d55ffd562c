package io.vplane.nic.frame;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds well-formed frames for tests: Ethernet with optional VLAN tags, IPv4/UDP, IPv6/UDP, ARP,
 * and NDP NS/NA with link-layer options and a valid ICMPv6 checksum.
 */
public final class TestFrames
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
    private int length;

    public static TestFrames ethernet(final long dst, final long src, final int... vlanIds)
    {
        final TestFrames frame = new TestFrames();
        MacAddress.write(frame.buffer, 0, dst);
        MacAddress.write(frame.buffer, 6, src);
        int offset = 12;
        for (final int vid : vlanIds)
        {
            frame.buffer.putShort(offset, (short)Ethernet.TPID_8021Q, ByteOrder.BIG_ENDIAN);
            frame.buffer.putShort(offset + 2, (short)vid, ByteOrder.BIG_ENDIAN);
            offset += 4;
        }
        frame.length = offset;
        return frame;
    }

    public static int ipv4(final String text)
    {
        return (int)IpAddressKey.parse(text)[1];
    }

    public TestFrames etherType(final int type)
    {
        buffer.putShort(length, (short)type, ByteOrder.BIG_ENDIAN);
        length += 2;
        return this;
    }

    public TestFrames ipv4Udp(final String src, final String dst, final int payload)
    {
        etherType(Ethernet.TYPE_IPV4);
        final int ip = length;
        buffer.putByte(ip, (byte)0x45);
        buffer.putShort(ip + 2, (short)(20 + 8 + payload), ByteOrder.BIG_ENDIAN);
        buffer.putByte(ip + 8, (byte)64);
        buffer.putByte(ip + 9, (byte)17);
        buffer.putInt(ip + 12, ipv4(src), ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + 16, ipv4(dst), ByteOrder.BIG_ENDIAN);
        buffer.putShort(ip + 24, (short)(8 + payload), ByteOrder.BIG_ENDIAN);
        length = ip + 28 + payload;
        return this;
    }

    public TestFrames ipv6Udp(final String src, final String dst, final int payload)
    {
        ipv6Header(src, dst, 17, 8 + payload);
        length += 8 + payload;
        return this;
    }

    private int ipv6Header(final String src, final String dst, final int nextHeader, final int payloadLength)
    {
        etherType(Ethernet.TYPE_IPV6);
        final int ip = length;
        buffer.putByte(ip, (byte)0x60);
        buffer.putShort(ip + 4, (short)payloadLength, ByteOrder.BIG_ENDIAN);
        buffer.putByte(ip + 6, (byte)nextHeader);
        buffer.putByte(ip + 7, (byte)255);
        putIpv6(ip + 8, src);
        putIpv6(ip + 24, dst);
        length = ip + 40;
        return ip;
    }

    private void putIpv6(final int offset, final String address)
    {
        final long[] key = IpAddressKey.parse(address);
        buffer.putLong(offset, key[0], ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, key[1], ByteOrder.BIG_ENDIAN);
    }

    public TestFrames arp(final int oper, final long sha, final String spa, final long tha, final String tpa)
    {
        etherType(Ethernet.TYPE_ARP);
        final int arp = length;
        buffer.putShort(arp, (short)1, ByteOrder.BIG_ENDIAN);
        buffer.putShort(arp + 2, (short)Ethernet.TYPE_IPV4, ByteOrder.BIG_ENDIAN);
        buffer.putByte(arp + 4, (byte)6);
        buffer.putByte(arp + 5, (byte)4);
        buffer.putShort(arp + 6, (short)oper, ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, arp + 8, sha);
        buffer.putInt(arp + 14, ipv4(spa), ByteOrder.BIG_ENDIAN);
        MacAddress.write(buffer, arp + 18, tha);
        buffer.putInt(arp + 24, ipv4(tpa), ByteOrder.BIG_ENDIAN);
        length = arp + 28;
        return this;
    }

    /**
     * NS (135) or NA (136) for {@code target}; {@code linkLayerOption} 1 (source) or 2 (target),
     * 0 for none, carrying {@code optionMac}.
     */
    public TestFrames ndp(
        final int type, final String src, final String dst, final String target, final int linkLayerOption,
        final long optionMac)
    {
        final int icmpLength = 24 + (linkLayerOption == 0 ? 0 : 8);
        final int ip = ipv6Header(src, dst, Ipv6.NEXT_HEADER_ICMPV6, icmpLength);
        final int icmp = ip + 40;
        buffer.setMemory(icmp, icmpLength, (byte)0);
        buffer.putByte(icmp, (byte)type);
        if (type == Ndp.TYPE_NEIGHBOR_ADVERTISEMENT)
        {
            buffer.putInt(icmp + 4, Ndp.NA_FLAG_SOLICITED | Ndp.NA_FLAG_OVERRIDE, ByteOrder.BIG_ENDIAN);
        }
        putIpv6(icmp + 8, target);
        if (linkLayerOption != 0)
        {
            buffer.putByte(icmp + 24, (byte)linkLayerOption);
            buffer.putByte(icmp + 25, (byte)1);
            MacAddress.write(buffer, icmp + 26, optionMac);
        }
        length = icmp + icmpLength;
        buffer.putShort(icmp + 2, (short)Checksums.icmpv6(buffer, ip, icmp, icmpLength), ByteOrder.BIG_ENDIAN);
        return this;
    }

    public TestFrames padTo(final int minLength)
    {
        if (length < minLength)
        {
            buffer.setMemory(length, minLength - length, (byte)0);
            length = minLength;
        }
        return this;
    }

    public TestFrames truncate(final int newLength)
    {
        length = newLength;
        return this;
    }

    public byte[] bytes()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** The frame in a buffer of exactly its length. */
    public UnsafeBuffer buffer()
    {
        return new UnsafeBuffer(bytes());
    }

    /** Copies the frame into direct memory; the switch reads frames by address. */
    public static ByteBuffer direct(final byte[] frame)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(frame.length);
        direct.put(frame).flip();
        return direct;
    }

    public int length()
    {
        return length;
    }
}
