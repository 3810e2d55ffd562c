package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that die mid-work hurt only themselves: a testpmd killed with SIGKILL in the middle of its
 * bursts leaves the port to the next frontend, whose frames are counted; an NBD client (fio)
 * killed mid-request leaves no connection open and the disk serving the next client; the daemon
 * then stops cleanly.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class PeerFaultIT
{
    private static final Pattern GUEST_TX = Pattern.compile("^vplane_vhost_frames_total\\{port=\"vm1\"[^}]*dir=\"guest_tx\"[^}]*} (\\d+)$",
        Pattern.MULTILINE);
    private static final Pattern CONNECTIONS = Pattern.compile("^vplane_vhost_connections_total\\{port=\"vm1\"} (\\d+)$", Pattern.MULTILINE);
    private static final Pattern NBD_REQUESTS = Pattern.compile("^vplane_nbd_requests_total\\{disk=\"d0\"[^}]*} (\\d+)$", Pattern.MULTILINE);
    private static final Pattern NBD_OPEN = Pattern.compile("^vplane_nbd_connections_open(?:\\{})? (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private PeerProcesses peers;
    private DaemonProcess daemon;
    private Path runDir;

    @AfterEach
    void stopAll() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
    }

    @Test
    void shouldServeTheNextPeerAfterOneIsKilledMidWork() throws Exception
    {
        peers = new PeerProcesses(tmp);
        runDir = tmp.resolve("run");
        final int nbdPort = PeerProcesses.freePort();
        final Path config = DaemonProcess.writePortAndDiskConfig(tmp, runDir, nbdPort, "server");
        daemon = DaemonProcess.start(config, runDir);

        final String socket = runDir.resolve("vm1.sock").toString();
        final Process first = peers.testpmdTxOnly("testpmd-1", socket);
        await(GUEST_TX, n -> n >= 1_000);
        PeerProcesses.kill(first); // mid-burst: txonly never stops sending
        peers.testpmdTxOnly("testpmd-2", socket);
        await(CONNECTIONS, n -> n >= 2);
        final long afterReconnect = await(GUEST_TX, n -> true);
        await(GUEST_TX, n -> n >= afterReconnect + 1_000);

        final String uri = "nbd://127.0.0.1:" + nbdPort + "/d0";
        final Process fio = peers.start("fio", "fio", "--name=vanish", "--ioengine=nbd", "--uri=" + uri, "--rw=randrw", "--bs=4k",
            "--iodepth=8", "--size=16m", "--time_based", "--runtime=120");
        await(NBD_REQUESTS, n -> n >= 500);
        PeerProcesses.kill(fio);
        await(NBD_OPEN, n -> 0 == n);
        final Process qemuIo = peers.start("qemu-io", "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", "-c", "read -P 0x5a 0 64k", uri);
        assertThat(qemuIo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(qemuIo.exitValue()).as(Files.readString(tmp.resolve("qemu-io.log"))).isZero();
        assertThat(Files.readString(tmp.resolve("qemu-io.log"))).doesNotContain("Pattern verification failed");

        daemon.stopCleanly();
    }

    private long await(final Pattern counter, final LongPredicate done) throws Exception
    {
        return RawCounters.await(tmp, runDir, counter, done, daemon::log);
    }
}
