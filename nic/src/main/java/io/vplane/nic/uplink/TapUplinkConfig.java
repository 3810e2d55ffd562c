package io.vplane.nic.uplink;

import io.vplane.config.SettingRange;

/**
 * A TAP uplink: a kernel TAP device as a port of the vSwitch, serving one VM port.
 *
 * @param name     unique device name, the switch port name and counter label
 * @param ifName   TAP interface name (created when it does not exist)
 * @param vswitch  the switch the uplink joins
 * @param vmPort   the switched vhost-user port whose guest receive buffers the TAP reads into
 * @param queues   TAP queues (IFF_MULTI_QUEUE when more than one), all read into the same VM's buffers
 * @param zeroCopy read into the VM's buffers (buffer-address substitution); false: into the uplink's own
 *                 memory, the switch then copies into the guest (the copy path, for comparison)
 * @param ioUring  the reads of a burst go to the kernel in one io_uring submit; false (or no io_uring in
 *                 this kernel): one readv per frame
 */
public record TapUplinkConfig(String name, String ifName, String vswitch, String vmPort, int queues, boolean zeroCopy,
    boolean ioUring)
{
    public static final SettingRange QUEUES = new SettingRange(1, 16);

    public TapUplinkConfig
    {
        QUEUES.check("queues", queues);
    }
}
