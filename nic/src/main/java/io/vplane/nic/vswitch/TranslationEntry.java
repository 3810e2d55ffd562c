package io.vplane.nic.vswitch;

import io.vplane.nic.frame.IpAddressKey;
import io.vplane.nic.frame.MacAddress;

/**
 * One VM address: its IP, the MAC it uses inside the host, the MAC the physical network sees for
 * it, and the port it sits behind.
 *
 * @param ipHi      high 64 bits of the {@link IpAddressKey}
 * @param ipLo      low 64 bits
 * @param localMac  the VM's own MAC
 * @param globalMac the MAC shown on the uplink
 * @param port      name of the port the VM is attached to
 */
public record TranslationEntry(long ipHi, long ipLo, long localMac, long globalMac, String port)
{
    public TranslationEntry
    {
        if (MacAddress.isGroup(localMac) || 0 == localMac)
        {
            throw new IllegalArgumentException("localMac must be a unicast address: " + MacAddress.toString(localMac));
        }
        if (MacAddress.isGroup(globalMac) || 0 == globalMac)
        {
            throw new IllegalArgumentException("globalMac must be a unicast address: " + MacAddress.toString(globalMac));
        }
        if (null == port || port.isBlank())
        {
            throw new IllegalArgumentException("port must be named");
        }
    }

    /** From text: {@code of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1")}. */
    public static TranslationEntry of(final String ip, final String localMac, final String globalMac, final String port)
    {
        final long[] key = IpAddressKey.parse(ip);
        return new TranslationEntry(key[0], key[1], MacAddress.parse(localMac), MacAddress.parse(globalMac), port);
    }

    public String ip()
    {
        return IpAddressKey.toString(ipHi, ipLo);
    }

    @Override
    public String toString()
    {
        return "{ip: " + ip() + ", localMac: " + MacAddress.toString(localMac) + ", globalMac: " +
            MacAddress.toString(globalMac) + ", port: " + port + "}";
    }
}
