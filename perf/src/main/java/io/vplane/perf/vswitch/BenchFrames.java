package io.vplane.perf.vswitch;

import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.IpAddressKey;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.vswitch.TranslationEntry;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Table entries and 64-byte frames for the benchmarks, deterministic. */
final class BenchFrames
{
    static final int FRAME_BYTES = 64;
    static final long GLOBAL = 0x02FF_0000_0001L;
    static final long REMOTE = 0x0266_0000_0001L;
    static final long VM_SOURCE_MAC = 0x0200_FFFF_0001L;
    static final String VM_SOURCE_IP = "172.16.0.1";

    private BenchFrames()
    {
    }

    /** VM i has IP 10.(i>>16).(i>>8).(i) + 1 offset, local MAC 02:00:.. + i, behind port vmA or vmB. */
    static List<TranslationEntry> entries(final int count)
    {
        final List<TranslationEntry> entries = new ArrayList<>(count + 1);
        for (int i = 0; i < count; i++)
        {
            entries.add(new TranslationEntry(0, IpAddressKey.v4Lo(vmIp(i)), 0x0200_0000_0000L + i + 1, GLOBAL,
                (i & 1) == 0 ? "vmA" : "vmB"));
        }
        final long[] source = IpAddressKey.parse(VM_SOURCE_IP);
        entries.add(new TranslationEntry(source[0], source[1], VM_SOURCE_MAC, GLOBAL, "vmSrc"));
        return entries;
    }

    static int vmIp(final int index)
    {
        return 0x0A00_0000 + index + 1;
    }

    /** Uplink → VM: to the global MAC, destination a random VM of the table. */
    static List<byte[]> fromUplink(final int frames, final int entries, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<byte[]> mix = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++)
        {
            mix.add(ipv4(GLOBAL, REMOTE, 0xC0A8_0109, vmIp(random.nextInt(entries))));
        }
        return mix;
    }

    /** VM → uplink (source translated) and VM → VM (direct), alternating. */
    static List<byte[]> fromVm(final int frames, final int entries, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int sourceIp = (int)IpAddressKey.parse(VM_SOURCE_IP)[1];
        final List<byte[]> mix = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++)
        {
            if ((i & 1) == 0)
            {
                mix.add(ipv4(REMOTE, VM_SOURCE_MAC, sourceIp, 0xC0A8_0109));
            }
            else
            {
                final int vm = random.nextInt(entries);
                mix.add(ipv4(0x0200_0000_0000L + vm + 1, VM_SOURCE_MAC, sourceIp, vmIp(vm)));
            }
        }
        return mix;
    }

    static byte[] ipv4(final long dst, final long src, final int srcIp, final int dstIp)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        MacAddress.write(frame, Ethernet.DST_OFFSET, dst);
        MacAddress.write(frame, Ethernet.SRC_OFFSET, src);
        frame.putShort(Ethernet.TYPE_OFFSET, (short)Ethernet.TYPE_IPV4, ByteOrder.BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)(FRAME_BYTES - 14), ByteOrder.BIG_ENDIAN);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)17);
        frame.putInt(26, srcIp, ByteOrder.BIG_ENDIAN);
        frame.putInt(30, dstIp, ByteOrder.BIG_ENDIAN);
        frame.putShort(38, (short)(FRAME_BYTES - 34), ByteOrder.BIG_ENDIAN);
        return frame.byteArray();
    }
}
