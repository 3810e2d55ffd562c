package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The anchor without switching: a second testpmd holding two {@code net_vhost} ports in {@code io}
 * mode (port 0 ↔ port 1), forwarding on CPU 1. DPDK 22.11's virtio-user stalls when it connects to
 * a vhost port that already forwards, so this testpmd starts forwarding only once the loop's
 * testpmd is up ({@link #beforeTraffic}).
 */
final class DpdkVhostSwitch implements PvpSwitch
{
    private final PeerProcesses peers;
    private final String filePrefix;
    private Path dir;
    private InteractiveTestpmd testpmd;

    DpdkVhostSwitch(final PeerProcesses peers, final String filePrefix)
    {
        this.peers = peers;
        this.filePrefix = filePrefix;
    }

    @Override
    public String label()
    {
        return "DPDK vhost io";
    }

    @Override
    public void start(final Path dir) throws IOException, InterruptedException
    {
        this.dir = dir;
        testpmd = InteractiveTestpmd.start(peers, dir.resolve("dpdk-vhost.log"),
            List.of("-l", "0,1", "--main-lcore", "0", "--no-pci", "--no-huge", "-m", "1024", "--file-prefix=" + filePrefix,
                "--vdev", "net_vhost0,iface=" + socketA() + ",queues=1",
                "--vdev", "net_vhost1,iface=" + socketB() + ",queues=1"),
            List.of("--total-num-mbufs=16384", "--forward-mode=io", "--no-flush-rx"));
        if (!testpmd.awaitPrompt(30_000) || !PvpSwitch.awaitSocket(socketB(), testpmd.process(), 5000))
        {
            throw new IOException("DPDK vhost testpmd did not come up:\n" + logTail());
        }
    }

    @Override
    public Path socketA()
    {
        return dir.resolve("da.sock");
    }

    @Override
    public Path socketB()
    {
        return dir.resolve("db.sock");
    }

    @Override
    public void beforeTraffic() throws IOException
    {
        testpmd.send("start");
    }

    @Override
    public void stop()
    {
        if (null != testpmd)
        {
            testpmd.quit();
            peers.stop(testpmd.process(), 3000);
            testpmd = null;
        }
    }

    @Override
    public String logTail() throws IOException
    {
        return PvpSwitch.tail(dir.resolve("dpdk-vhost.log"), 30);
    }
}
