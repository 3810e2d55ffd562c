package io.vplane.nic.vswitch;

/**
 * One entry of the vSwitch translation table, as written in the file (validated syntax).
 *
 * @param ip        the VM's IPv4 or IPv6 address
 * @param localMac  the VM's own MAC, seen inside the host
 * @param globalMac the MAC the physical network sees for it
 * @param port      the switch port the VM is attached to
 */
public record VswitchEntryConfig(String ip, String localMac, String globalMac, String port)
{
}
