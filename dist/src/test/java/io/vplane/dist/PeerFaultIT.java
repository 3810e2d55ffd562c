package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
 * Peers that die mid-work hurt only themselves, with a counter that moves and one log line: a
 * testpmd killed with SIGKILL in the middle of its bursts ends its port's session only (the other
 * port's frontend keeps sending, the next frontend on the port is served; a frontend that stops
 * cleanly is not counted); an NBD client that vanishes mid-request ends its connection only (a
 * client beside it finishes its verified run, the next client is served); the daemon then stops
 * cleanly.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class PeerFaultIT
{
    private static final Pattern VM1_TX = guestTx("vm1");
    private static final Pattern VM2_TX = guestTx("vm2");
    private static final Pattern VM1_CONNECTIONS = connections("vm1");
    private static final Pattern VM2_CONNECTIONS = connections("vm2");
    private static final Pattern FRONTEND_VANISHED = error("vhost-user", "frontend-vanished");
    private static final Pattern CLIENT_VANISHED = error("nbd", "client-vanished");
    private static final Pattern NBD_REQUESTS = Pattern.compile("^vplane_nbd_requests_total\\{disk=\"d0\"[^}]*} (\\d+)$", Pattern.MULTILINE);
    private static final Pattern NBD_OPEN = Pattern.compile("^vplane_nbd_connections_open(?:\\{})? (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private PeerProcesses peers;
    private DaemonProcess daemon;
    private Path runDir;
    private int nbdPort;

    @BeforeEach
    void startDaemon() throws Exception
    {
        peers = new PeerProcesses(tmp);
        runDir = tmp.resolve("run");
        nbdPort = PeerProcesses.freePort();
        final Path config = DaemonProcess.writePortsAndDiskConfig(tmp, runDir, nbdPort, "server", "vm1", "vm2");
        daemon = DaemonProcess.start(config, runDir);
    }

    @AfterEach
    void stopAll() throws Exception
    {
        DaemonProcess.closeAll(daemon, peers);
    }

    @Test
    void shouldHurtOnlyThePortWhoseFrontendWasKilledMidBurst() throws Exception
    {
        peers.testpmdTxOnly("testpmd-vm2", runDir.resolve("vm2.sock").toString());
        final Process first = peers.testpmdTxOnly("testpmd-1", runDir.resolve("vm1.sock").toString());
        await(VM1_TX, n -> n >= 1_000);
        await(VM2_TX, n -> n >= 1_000);

        PeerProcesses.kill(first); // mid-burst: txonly never stops sending
        assertThat(await(FRONTEND_VANISHED, n -> n >= 1)).isEqualTo(1);
        final long vm2AtKill = await(VM2_TX, n -> true);
        await(VM2_TX, n -> n >= vm2AtKill + 1_000); // the other port's frontend never noticed
        assertThat(await(VM2_CONNECTIONS, n -> true)).isEqualTo(1);
        assertThat(lines("vhost-user/frontend-vanished")).isEqualTo(1);
        assertThat(daemon.log()).contains("vhost-user/frontend-vanished: vm1 (").doesNotContain("frontend-vanished: vm2");

        final Process second = peers.testpmdTxOnly("testpmd-2", runDir.resolve("vm1.sock").toString());
        await(VM1_CONNECTIONS, n -> n >= 2);
        final long afterReconnect = await(VM1_TX, n -> true);
        await(VM1_TX, n -> n >= afterReconnect + 1_000);

        // A frontend that quits on purpose takes its rings back first: not a fault.
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        awaitLog("vhost-user port vm1: frontend disconnected");
        assertThat(await(FRONTEND_VANISHED, n -> true)).isEqualTo(1);

        daemon.stopCleanly();
    }

    @Test
    void shouldHurtOnlyTheNbdConnectionThatVanishedMidRequest() throws Exception
    {
        final String uri = "nbd://127.0.0.1:" + nbdPort + "/d0";
        // Beside it all along: a verified run on the first 8 MiB; the vanishing client uses the last 8.
        final Process beside = peers.start("fio-beside", "fio", "--name=beside", "--ioengine=nbd", "--uri=" + uri,
            "--rw=randrw", "--bs=4k", "--iodepth=8", "--size=8m", "--verify=crc32c", "--verify_backlog=1024", "--verify_fatal=1",
            "--time_based", "--runtime=10");
        await(NBD_REQUESTS, n -> n >= 500);

        VanishingNbdClient.vanishMidRequest(nbdPort, "d0", 8L << 20);
        assertThat(await(CLIENT_VANISHED, n -> n >= 1)).isEqualTo(1);
        assertThat(lines("nbd/client-vanished")).isEqualTo(1);
        assertThat(daemon.log()).contains("and one partly received");
        assertThat(beside.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(beside.exitValue()).as(Files.readString(tmp.resolve("fio-beside.log"))).isZero();
        assertThat(Files.readString(tmp.resolve("fio-beside.log"))).contains("err= 0");
        await(NBD_OPEN, n -> 0 == n);

        // A real client killed mid-run: its connection only; the next one is served.
        final Process fio = peers.start("fio", "fio", "--name=vanish", "--ioengine=nbd", "--uri=" + uri, "--rw=randrw", "--bs=4k",
            "--iodepth=8", "--size=16m", "--time_based", "--runtime=120");
        final long before = await(NBD_REQUESTS, n -> true);
        await(NBD_REQUESTS, n -> n >= before + 500);
        PeerProcesses.kill(fio);
        await(NBD_OPEN, n -> 0 == n);
        final long vanishedSoFar = await(CLIENT_VANISHED, n -> true);
        final Process qemuIo = peers.start("qemu-io", "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", "-c", "read -P 0x5a 0 64k", uri);
        assertThat(qemuIo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(qemuIo.exitValue()).as(Files.readString(tmp.resolve("qemu-io.log"))).isZero();
        assertThat(Files.readString(tmp.resolve("qemu-io.log"))).doesNotContain("Pattern verification failed");
        await(NBD_OPEN, n -> 0 == n);
        assertThat(await(CLIENT_VANISHED, n -> true)).as("a client that leaves cleanly is not counted").isEqualTo(vanishedSoFar);

        daemon.stopCleanly();
    }

    private static Pattern guestTx(final String port)
    {
        return Pattern.compile("^vplane_vhost_frames_total\\{port=\"" + port + "\"[^}]*dir=\"guest_tx\"[^}]*} (\\d+)$", Pattern.MULTILINE);
    }

    private static Pattern connections(final String port)
    {
        return Pattern.compile("^vplane_vhost_connections_total\\{port=\"" + port + "\"} (\\d+)$", Pattern.MULTILINE);
    }

    private static Pattern error(final String component, final String error)
    {
        return Pattern.compile("^vplane_errors_total\\{component=\"" + component + "\",error=\"" + error + "\"} (\\d+)$",
            Pattern.MULTILINE);
    }

    private long lines(final String text)
    {
        return daemon.log().lines().filter(line -> line.contains(text)).count();
    }

    private void awaitLog(final String text) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!daemon.log().contains(text))
        {
            assertThat(System.nanoTime() - deadline).as("no '%s' in the log:%n%s", text, daemon.log()).isNegative();
            Thread.sleep(200);
        }
    }

    private long await(final Pattern counter, final LongPredicate done) throws Exception
    {
        return RawCounters.await(tmp, runDir, counter, done, daemon::log);
    }
}
