package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The second anchor: Open vSwitch with DPDK (Debian {@code openvswitch-switch-dpdk}), run privately:
 * its own ovsdb-server and database under the run's directory, {@code ovs-vswitchd-dpdk} without
 * hugepages with its own DPDK file prefix ({@code --legacy-mem}: {@code --no-huge} implies it, and OVS adds {@code --in-memory} otherwise, which DPDK refuses with it), one PMD thread on CPU 1 (its other lcores on CPU 0), a
 * {@code netdev} bridge with two {@code dpdkvhostuserclient} ports that connect to the loop's
 * testpmd ({@code server=1}). Flows: {@code actions=NORMAL} (a learning switch, the counterpart of
 * vplane's plain L2), or with {@code inPortFlows} two explicit {@code in_port} flows. Both daemons
 * run in the foreground as children of this JVM and are killed by pid; no system service starts.
 */
final class OvsDpdkSwitch implements PvpSwitch
{
    static final Path VSWITCHD = Path.of("/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk");
    private static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    private final PeerProcesses peers;
    private final String filePrefix;
    private final boolean inPortFlows;
    private Path dir;
    private Process ovsdb;
    private Process vswitchd;

    OvsDpdkSwitch(final PeerProcesses peers, final String filePrefix, final boolean inPortFlows)
    {
        this.peers = peers;
        this.filePrefix = filePrefix;
        this.inPortFlows = inPortFlows;
    }

    static boolean installed()
    {
        return Files.isExecutable(VSWITCHD) && Files.exists(SCHEMA);
    }

    @Override
    public String label()
    {
        return inPortFlows ? "OVS-DPDK in_port" : "OVS-DPDK NORMAL";
    }

    @Override
    public boolean vmListens()
    {
        return true;
    }

    private String[] env()
    {
        return new String[] {"OVS_RUNDIR", dir.toString(), "OVS_DBDIR", dir.toString(), "OVS_LOGDIR", dir.toString(),
            "OVS_SYSCONFDIR", dir.toString()};
    }

    private String db()
    {
        return "unix:" + dir.resolve("db.sock");
    }

    private void vsctl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db(), "--timeout=20"));
        command.addAll(List.of(args));
        peers.run(command, env());
    }

    @Override
    public void start(final Path dir) throws IOException, InterruptedException
    {
        this.dir = Files.createDirectories(dir.resolve("ovs"));
        final Path conf = this.dir.resolve("conf.db");
        peers.run(List.of("ovsdb-tool", "create", conf.toString(), SCHEMA.toString()), env());
        ovsdb = peers.start(List.of("ovsdb-server", conf.toString(), "--remote=punix:" + this.dir.resolve("db.sock"),
            "--unixctl=" + this.dir.resolve("ovsdb.ctl"), "--no-chdir", "-vconsole:warn"),
            this.dir.resolve("ovsdb.log"), false, env());
        if (!PvpSwitch.awaitSocket(this.dir.resolve("db.sock"), ovsdb, 10_000))
        {
            throw new IOException("ovsdb-server did not start:\n" + PvpSwitch.tail(this.dir.resolve("ovsdb.log"), 20));
        }
        vsctl("--no-wait", "init");
        vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
            "other_config:dpdk-extra=--no-pci --no-huge --legacy-mem -m 2048 --file-prefix=" + filePrefix,
            "other_config:per-port-memory=true",
            "other_config:dpdk-lcore-mask=0x1", "other_config:pmd-cpu-mask=0x2");
        vswitchd = peers.start(List.of(VSWITCHD.toString(), db(), "--unixctl=" + this.dir.resolve("vswitchd.ctl"),
            "--no-chdir", "-vconsole:warn"), this.dir.resolve("vswitchd.log"), false, env());
        vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev");
        vsctl("add-port", "br0", "va", "--", "set", "Interface", "va", "type=dpdkvhostuserclient",
            "options:vhost-server-path=" + socketA(), "ofport_request=1");
        vsctl("add-port", "br0", "vb", "--", "set", "Interface", "vb", "type=dpdkvhostuserclient",
            "options:vhost-server-path=" + socketB(), "ofport_request=2");
        if (inPortFlows)
        {
            final String bridge = "unix:" + this.dir.resolve("br0.mgmt");
            peers.run(List.of("ovs-ofctl", "del-flows", bridge), env());
            peers.run(List.of("ovs-ofctl", "add-flow", bridge, "in_port=1,actions=output:2"), env());
            peers.run(List.of("ovs-ofctl", "add-flow", bridge, "in_port=2,actions=output:1"), env());
        }
    }

    @Override
    public Path socketA()
    {
        return dir.resolve("va.sock");
    }

    @Override
    public Path socketB()
    {
        return dir.resolve("vb.sock");
    }

    @Override
    public void stop()
    {
        if (null != vswitchd)
        {
            peers.stop(vswitchd, 3000);
            vswitchd = null;
        }
        if (null != ovsdb)
        {
            peers.stop(ovsdb, 2000);
            ovsdb = null;
        }
    }

    @Override
    public String logTail() throws IOException
    {
        return PvpSwitch.tail(dir.resolve("vswitchd.log"), 30);
    }
}
