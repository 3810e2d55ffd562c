package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * vplane's vSwitch: the daemon ({@code bin/vplane run}) with two {@code guestTx: switch} ports and
 * its net worker busy-spinning on CPU 1. Plain L2: the table holds no IP the frames carry, so every
 * frame is a table miss and goes to its learned MAC. Routed: the table holds the frames' own IPs
 * (testpmd's generated frames all go 198.18.0.1 → 198.18.0.2), so a's frames are switched by a
 * table hit to b's port; b's frames (same IPs) are a hit on their own port and go by their MAC.
 * Anti-spoofing is off when routed, as b's frames carry a's source IP.
 *
 * <p>The daemon starts under {@code taskset -c 0}: every thread of the JVM (C2 and GC threads, the
 * vhost-user control threads, the idle blk and vsock workers) stays on CPU 0, and only the net
 * worker moves itself to CPU 1 when it pins, so nothing of vplane's own preempts the polling
 * thread. The idle blk and vsock workers, which have no queue here, sleep up to 1 s at a time
 * instead of 1 ms. DPDK's anchor has the same layout: its main lcore on CPU 0.
 */
final class VplaneSwitch implements PvpSwitch
{
    private final Path top;
    private final PeerProcesses peers;
    private final boolean routed;
    private final String lib;
    private Path dir;
    private Process daemon;

    /**
     * @param lib the jars to run ({@code VPLANE_LIB} of {@code bin/vplane}), null for the tree's own:
     *            another build of vplane, to compare two versions in one run
     */
    VplaneSwitch(final Path top, final PeerProcesses peers, final boolean routed, final String lib)
    {
        this.lib = lib;
        this.top = top;
        this.peers = peers;
        this.routed = routed;
    }

    @Override
    public String label()
    {
        return (routed ? "vplane routed" : "vplane L2") + (null == lib ? "" : " (lib)");
    }

    @Override
    public void start(final Path dir) throws IOException, InterruptedException
    {
        this.dir = dir;
        final String table = routed
            ? """
                  antiSpoofing: false
                  table:
                    - {ip: 198.18.0.1, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pa}
                    - {ip: 198.18.0.2, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pb}
                """.formatted(PvpComparison.MAC_A, PvpComparison.MAC_B)
            : """
                  table:
                    - {ip: 10.0.0.1, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pa}
                    - {ip: 10.0.0.2, localMac: "%s", globalMac: "02:ff:00:00:00:01", port: pb}
                """.formatted(PvpComparison.MAC_A, PvpComparison.MAC_B);
        final String yaml = """
            daemon: {runDir: %1$s/run, socketDir: %1$s, logLevel: WARN}
            management: {enabled: false}
            pools:
              net: {workers: 1, cpus: [1], batch: 64, idle: {strategy: busy-spin}}
              blk: {idle: {strategy: park, maxParkNs: 1000000000}}
              vsock: {idle: {strategy: park, maxParkNs: 1000000000}}
            devices:
              vhostUser:
                - {name: pa, socketPath: '%1$s/pa.sock', mac: "%2$s", guestTx: switch, vswitch: vs0}
                - {name: pb, socketPath: '%1$s/pb.sock', mac: "%3$s", guestTx: switch, vswitch: vs0}
            vswitch:
              enabled: true
              name: vs0
            %4$s""".formatted(dir, PvpComparison.MAC_A, PvpComparison.MAC_B, table);
        final Path config = dir.resolve("vplane.yaml");
        Files.writeString(config, yaml);
        daemon = peers.start(List.of("taskset", "-c", "0", top.resolve("bin/vplane").toString(), "run", "-c", config.toString()),
            dir.resolve("vplane.log"), false, null == lib ? new String[0] : new String[] {"VPLANE_LIB", lib});
        if (!PvpSwitch.awaitSocket(socketB(), daemon, 30_000) || !PvpSwitch.awaitSocket(socketA(), daemon, 5000))
        {
            throw new IOException("vplane did not open its sockets:\n" + logTail());
        }
    }

    @Override
    public Path socketA()
    {
        return dir.resolve("pa.sock");
    }

    @Override
    public Path socketB()
    {
        return dir.resolve("pb.sock");
    }

    @Override
    public void stop()
    {
        if (null != daemon)
        {
            peers.stop(daemon, 5000);
            daemon = null;
        }
    }

    @Override
    public String logTail() throws IOException
    {
        return PvpSwitch.tail(dir.resolve("vplane.log"), 30);
    }
}
