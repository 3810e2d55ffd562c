package io.vplane.nic.port;

import java.nio.file.Path;

/**
 * Two testpmd VMs on one vSwitch for the interop tests: the config of switch vs0 with switched
 * vhost-user ports pa (VM a) and pb (VM b), and the switch's per-port counters.
 */
final class SwitchedPair
{
    static final String MAC_A = "52:54:00:00:00:0a";
    static final String MAC_B = "52:54:00:00:00:0b";

    private SwitchedPair()
    {
    }

    /**
     * @param pool net pool settings (one flow line)
     * @param ipA  VM a's IP in the table, {@code ipB} VM b's
     */
    static String config(final Path dir, final String pool, final boolean antiSpoofing, final String ipA, final String ipB)
    {
        return """
            pools:
              net:
                %s
            devices:
              vhostUser:
                - {name: pa, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
                - {name: pb, socketPath: '%s', mac: "%s", guestTx: switch, vswitch: vs0}
            vswitch:
              enabled: true
              name: vs0
              antiSpoofing: %s
              table:
                - {ip: %s, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pa}
                - {ip: %s, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pb}
            """.formatted(pool, dir.resolve("pa.sock"), MAC_A, dir.resolve("pb.sock"), MAC_B, antiSpoofing, ipA, MAC_A,
            ipB, MAC_B);
    }

    /** Frames the switch received from ({@code "rx"}) or sent to ({@code "tx"}) {@code port}. */
    static long frames(final PortFixture vplane, final String direction, final String port)
    {
        return vplane.value("vplane_vswitch_port_" + direction + "_frames_total{switch=\"vs0\",port=\"" + port + "\"}");
    }

    static long drops(final PortFixture vplane, final String port, final String reason)
    {
        return vplane.value("vplane_vswitch_port_drops_total{switch=\"vs0\",port=\"" + port + "\",reason=\"" + reason + "\"}");
    }
}
