package io.vplane.dist;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vplane tune} through the real {@code bin/vplane} against a daemon running the reference
 * config, which is the embedded default (only the NBD port moved): a dry run of each type over two
 * candidates, under its built-in load through its real front end (a guest on a vhost-user port; reads
 * into disk0's queues, at the rate asked), prints a row per candidate with its latency and the choice and changes nothing; {@code --apply} switches the daemon and rewrites just the one
 * value in the config file; {@code ctl placement show} lists every queue with its load.
 */
// A guard against a hang, not a speed check: five CLI JVMs and a daemon took 119 s on a crowded 2-core host.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TuneEndToEndIT
{
    private static final String NET_N = "    queuesPerWorker: 2\n";

    @TempDir
    Path tmp;

    private DaemonProcess daemon;

    @AfterEach
    void stopDaemon() throws Exception
    {
        DaemonProcess.closeAll(daemon, null);
    }

    @Test
    void shouldDryRunThenApplyAndWriteOnlyTheValue() throws Exception
    {
        final Path runDir = tmp.resolve("run");
        final Path config = tmp.resolve("vplane.yaml");
        final String reference = Files.readString(VplaneProcess.HOME.resolve("config/vplane.yaml"));
        assertThat(reference).contains("\n  port: 10809\n").contains("  net:\n").contains(NET_N);
        Files.writeString(config, reference.replace("\n  port: 10809\n", "\n  port: " + PeerProcesses.freePort() + "\n"));
        final String before = Files.readString(config);
        daemon = DaemonProcess.startInDirectories(runDir, tmp.resolve("state"), tmp.resolve("daemon.log"),
            "run", "--config", config.toString());
        final String dir = runDir.toString();

        final VplaneProcess.Result dryRun = VplaneProcess.run(tmp,
            "tune", "--run-dir", dir, "--type", "net", "--candidates", "1,2", "--duration", "2s", "--dry-run");

        System.out.println("vplane tune --type net --candidates 1,2 --duration 2s --dry-run (reference config):\n" + dryRun.output());
        assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
        assertThat(dryRun.output())
            .as("plain progress lines, as stdout is not a terminal")
            .contains("net: candidate 1 of 2 (N=1)").contains("net: candidate 2 of 2 (N=2)")
            .contains("net: queues per worker by measurement, load builtin, criterion throughput-per-cpu")
            .contains("  load: built-in guest on vhost-user port tune-net (1 queue pairs, guestTx loopback): 50,000 frames/s")
            .containsPattern(row(1, "net-0")).containsPattern(row(2, "net-0"))
            .containsPattern("choice: N=[12]: highest throughput per CPU \\([0-9,]+ requests/CPU-s\\) against [0-9,]+ " +
                "requests/CPU-s for N=[12], at p50/p99 latency [0-9.]+/[0-9.]+ us against [0-9.]+/[0-9.]+ us")
            .contains("dry run: net keeps queuesPerWorker=2")
            .contains("load-based grouping (dry run)");
        assertThat(Files.readString(config)).isEqualTo(before);

        final VplaneProcess.Result disks = VplaneProcess.run(tmp,
            "tune", "--run-dir", dir, "--type", "blk", "--candidates", "1,4", "--duration", "1s", "--rate", "10k", "--dry-run");

        System.out.println("vplane tune --type blk --candidates 1,4 --duration 1s --rate 10k --dry-run (reference config):\n" +
            disks.output());
        assertThat(disks.exitCode()).as(disks.output()).isZero();
        assertThat(disks.output())
            .as("the rate asked, for the one blk worker")
            .contains("  load: built-in disk load: 10,000 reads/s of 4096 bytes at random offsets, 32 in flight per queue at most, " +
                "into disk0 (2 queues)")
            .containsPattern(row(1, "blk-0")).containsPattern(row(4, "blk-0"))
            .contains("dry run: blk keeps queuesPerWorker=4");

        final VplaneProcess.Result show = VplaneProcess.run(tmp, "ctl", "placement", "show", "--run-dir", dir, "--type", "net");
        assertThat(show.exitCode()).as(show.output()).isZero();
        assertThat(show.output()).startsWith("net: queuesPerWorker=2 grouping=count")
            .containsPattern("lo0/3 +net-0 +- +net.lo0.g1 +[0-9]+ +[0-9.]+%").doesNotContain("tune-net");

        final VplaneProcess.Result apply = VplaneProcess.run(tmp,
            "tune", "--run-dir", dir, "--type", "net", "--candidates", "1,3", "--duration", "500ms", "--apply",
            "--criterion", "utilisation");

        assertThat(apply.exitCode()).as(apply.output()).isZero();
        final String chosen = apply.output().replaceAll("(?s).*applied: net runs with queuesPerWorker=(\\d+).*", "$1");
        assertThat(chosen).as(apply.output()).isIn("1", "3");
        assertThat(apply.output()).contains("config: wrote pools.net.queuesPerWorker: " + chosen + " to " + config.toRealPath());
        assertThat(changedLines(before, Files.readString(config)))
            .as("only the net pool's value changed").containsExactly(NET_N.strip() + " -> queuesPerWorker: " + chosen);
        final VplaneProcess.Result placement = VplaneProcess.run(tmp, "ctl", "placement", "--run-dir", dir, "--type", "net");
        assertThat(placement.output()).startsWith("net: queuesPerWorker=" + chosen + " ");
    }

    /** A candidate's row: N, requests/s, CPU, utilisation, requests/CPU-s, ns/request, p50 and p99 latency (measured: numbers), the first worker. */
    private static String row(final int n, final String worker)
    {
        return "\n +" + n + " +[0-9,]+ +[0-9.]+ s +[0-9.]+% +[0-9,]+ +[0-9,]+ +[0-9,.]+ +[0-9,.]+ +" + worker + " ";
    }

    private static List<String> changedLines(final String before, final String after)
    {
        final String[] old = before.split("\n", -1);
        final String[] now = after.split("\n", -1);
        assertThat(now).hasSameSizeAs(old);
        final List<String> changed = new ArrayList<>();
        for (int i = 0; i < old.length; i++)
        {
            if (!old[i].equals(now[i]))
            {
                changed.add(old[i].strip() + " -> " + now[i].strip());
            }
        }
        return changed;
    }
}
