package io.vplane.nic.uplink;

import io.vplane.config.SettingRange;

import java.util.List;

/**
 * A VXLAN uplink (RFC 7348): one UDP port, one socket per VNI in one SO_REUSEPORT group.
 *
 * @param name        unique device name; each VNI's switch port is {@code name-VNI}
 * @param bindAddress local IPv4 address the sockets bind to (0.0.0.0: all)
 * @param udpPort     UDP port, the same locally and at the remote VTEPs
 * @param vswitch     the switch the VNI ports join
 * @param remotes     remote VTEPs (IPv4) that get floods and frames to unlearned MACs
 * @param vnis        the segments: one VNI per VM port
 * @param zeroCopy    receive inner frames straight into the VMs' buffers; false: the copy path
 */
public record VxlanUplinkConfig(String name, String bindAddress, int udpPort, String vswitch, List<String> remotes,
    List<Segment> vnis, boolean zeroCopy)
{
    public static final SettingRange UDP_PORT = new SettingRange(1, 65_535);
    /** 24 bits (RFC 7348 §5). */
    public static final SettingRange VNI = new SettingRange(0, 16_777_215);

    public VxlanUplinkConfig
    {
        UDP_PORT.check("udpPort", udpPort);
        remotes = List.copyOf(remotes);
        vnis = List.copyOf(vnis);
    }

    /**
     * @param vni    the VXLAN network identifier
     * @param vmPort the switched vhost-user port this VNI is received into
     */
    public record Segment(int vni, String vmPort)
    {
        public Segment
        {
            VNI.check("vni", vni);
        }
    }
}
