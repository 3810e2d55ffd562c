package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The PVP loop, side by side. One testpmd holds two virtio-user ports (VM a, VM b) in {@code io}
 * mode and starts with {@code start tx_first 16} (16 bursts of 32 frames from each port), so the
 * frames circulate a → switch → b → testpmd → a for as long as the run lasts. The switch under
 * test busy-polls on CPU 1, testpmd forwards on CPU 0. Switches: vplane plain L2, vplane routed by
 * its table, DPDK's vhost io forwarding (no switching) and Open vSwitch + DPDK when installed.
 * Each round runs every switch back to back, the order rotating; the rate of a run is the frames
 * testpmd received on both ports per second (each crossed the switch once) over
 * {@code measureSeconds} after {@code warmUpSeconds}. Prints every run, then each switch's median
 * and range and, per vplane/anchor pair, the median of the per-round ratios with its range.
 * With {@code PVP_FORWARD=flowgen} the same testpmd generates instead ({@code flowgen}: each port
 * sends to the other VM as fast as it can and counts what it receives): an open loop that shows the
 * offered load (Tx) next to what arrived (Rx), with the generator and both receivers on one core,
 * so no receiver has to share the switch's core ({@code perf/bin/vswitch-e2e}).
 * Arguments: {@code [rounds=5] [measureSeconds=8] [warmUpSeconds=4] [frameBytes=64]}. Environment:
 * {@code PVP_WORK} the directory for logs, sockets and the pid file (default: a new temp dir),
 * {@code PVP_SWITCHES} a comma list of {@code l2,routed,dpdk,ovs,ovs-flows} (default all but
 * ovs-flows; ovs only when installed; {@code l2-lib,routed-lib} run the jars in {@code PVP_LIB}, another
 * build of vplane, as a before/after pair in the same run), {@code VPLANE_HOME} the tree with {@code bin/vplane},
 * {@code PVP_FIGURES} (set) also prints each run's rates as the side-by-side protocol's {@code figure} lines.
 */
public final class PvpComparison
{
    static final String MAC_A = "52:54:00:00:00:0a";
    static final String MAC_B = "52:54:00:00:00:0b";

    private PvpComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int measureSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        final int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        final int frameBytes = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        final Path top = Path.of(System.getenv().getOrDefault("VPLANE_HOME", ".")).toAbsolutePath().normalize();
        final String work = System.getenv("PVP_WORK");
        final Path dir = null != work ? Files.createDirectories(Path.of(work)) : Files.createTempDirectory("vswitch-pvp.");
        final String prefix = "pvp" + ProcessHandle.current().pid();
        final boolean flowgen = "flowgen".equals(System.getenv("PVP_FORWARD"));
        final boolean figures = null != System.getenv("PVP_FIGURES");
        boolean failed = false;

        try (PeerProcesses peers = new PeerProcesses(dir.resolve("pids")))
        {
            final List<PvpSwitch> switches = switches(top, peers, prefix);
            final int n = switches.size();
            final double[][] mpps = new double[n][rounds];
            System.out.printf(Locale.ROOT, "%s, %d-byte frames; %d rounds of %d s (after %d s warm-up); logs in %s%n",
                flowgen ? "VM a <-> switch <-> VM b, one testpmd generating (flowgen) on both ports"
                    : "PVP loop a -> switch -> b -> testpmd (io) -> a, tx_first 16",
                frameBytes, rounds, measureSeconds, warmUpSeconds, dir);
            System.out.printf(Locale.ROOT, "%-6s %-18s %10s %10s %10s %s%n", "round", "switch", "Rx Mpps", "Gbit/s",
                "Tx Mpps", "load average before");
            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < n; k++)
                {
                    final int s = (k + round) % n;
                    final PvpSwitch sw = switches.get(s);
                    final String load = Files.readString(Path.of("/proc/loadavg")).trim();
                    final Path runDir = Files.createDirectories(dir.resolve("r" + (round + 1) + "-" + sw.label().replaceAll("[^A-Za-z0-9]+", "-")));
                    final double[] rates = new PvpRun(peers, sw, runDir, prefix + "-vm" + round + "-" + s, frameBytes, flowgen)
                        .measure(warmUpSeconds, measureSeconds);
                    mpps[s][round] = rates[0];
                    System.out.printf(Locale.ROOT, "%-6d %-18s %10.2f %10.2f %10.2f %s%n", round + 1, sw.label(), rates[0],
                        gbits(rates[0], frameBytes), rates[1], load);
                    if (figures)
                    {
                        failed |= !figures(rates, frameBytes, flowgen);
                    }
                }
            }
            summary(switches, mpps, frameBytes);
        }
        if (failed)
        {
            System.exit(1);
        }
    }

    /**
     * One run's figures in the side-by-side protocol's form (docs/benchmarks.md), for perf/bin/pairs.
     *
     * @return false when the run failed (no frames), so that no figure of zero is taken for a measurement
     */
    private static boolean figures(final double[] rates, final int frameBytes, final boolean flowgen)
    {
        if (rates[0] <= 0)
        {
            return false;
        }
        if (flowgen)
        {
            final String label = frameBytes + "B VM a <-> VM b, flowgen";
            System.out.printf(Locale.ROOT, "figure\t%s\tdelivered throughput\t%.3f\tMpps\thigher%n", label, rates[0]);
            System.out.printf(Locale.ROOT, "figure\t%s\toffered throughput\t%.3f\tMpps\thigher%n", label, rates[1]);
        }
        else
        {
            System.out.printf(Locale.ROOT, "figure\t%s\tthroughput\t%.3f\tMpps\thigher%n", frameBytes + "B PVP loop", rates[0]);
        }
        return true;
    }

    private static List<PvpSwitch> switches(final Path top, final PeerProcesses peers, final String prefix)
    {
        final String wanted = System.getenv().getOrDefault("PVP_SWITCHES", "l2,routed,dpdk,ovs");
        final List<PvpSwitch> switches = new ArrayList<>();
        for (final String name : wanted.split(","))
        {
            switch (name.trim())
            {
                case "l2" -> switches.add(new VplaneSwitch(top, peers, false, null));
                case "routed" -> switches.add(new VplaneSwitch(top, peers, true, null));
                case "l2-lib" -> switches.add(new VplaneSwitch(top, peers, false, requiredLib()));
                case "routed-lib" -> switches.add(new VplaneSwitch(top, peers, true, requiredLib()));
                case "dpdk" -> switches.add(new DpdkVhostSwitch(peers, prefix + "-vhost"));
                case "ovs", "ovs-flows" ->
                {
                    if (OvsDpdkSwitch.installed())
                    {
                        switches.add(new OvsDpdkSwitch(peers, prefix + "-ovs", name.trim().equals("ovs-flows")));
                    }
                    else
                    {
                        System.out.println("Open vSwitch with DPDK is not installed (" + OvsDpdkSwitch.VSWITCHD
                            + ", package openvswitch-switch-dpdk): no OVS anchor");
                    }
                }
                default -> throw new IllegalArgumentException("unknown switch '" + name + "' in PVP_SWITCHES");
            }
        }
        return switches;
    }

    private static String requiredLib()
    {
        final String lib = System.getenv("PVP_LIB");
        if (null == lib || !Files.isDirectory(Path.of(lib)))
        {
            throw new IllegalArgumentException("l2-lib and routed-lib need PVP_LIB, a directory of vplane jars");
        }
        return lib;
    }

    static double gbits(final double mpps, final int frameBytes)
    {
        return mpps * frameBytes * 8 / 1000.0;
    }

    private static void summary(final List<PvpSwitch> switches, final double[][] mpps, final int frameBytes)
    {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-18s %12s %18s%n", "switch", "med. Rx Mpps", "range");
        for (int s = 0; s < switches.size(); s++)
        {
            System.out.printf(Locale.ROOT, "%-18s %12.2f %9.2f..%-7.2f (%.2f Gbit/s)%n", switches.get(s).label(),
                median(mpps[s]), min(mpps[s]), max(mpps[s]), gbits(median(mpps[s]), frameBytes));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-36s %14s %18s%n", "ratio (per round, same round)", "median", "range");
        for (int v = 0; v < switches.size(); v++)
        {
            if (!(switches.get(v) instanceof VplaneSwitch) || switches.get(v).label().endsWith("(lib)"))
            {
                continue;
            }
            for (int a = 0; a < switches.size(); a++)
            {
                if (switches.get(a) instanceof VplaneSwitch && !switches.get(a).label().endsWith("(lib)"))
                {
                    continue;
                }
                final double[] ratios = new double[mpps[v].length];
                for (int r = 0; r < ratios.length; r++)
                {
                    ratios[r] = mpps[a][r] > 0 ? mpps[v][r] / mpps[a][r] : Double.NaN;
                }
                System.out.printf(Locale.ROOT, "%-36s %13.2fx %9.2f..%-7.2f%n",
                    switches.get(v).label() + " / " + switches.get(a).label(), median(ratios), min(ratios), max(ratios));
            }
        }
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /** One run of the loop through one switch. */
    private record PvpRun(PeerProcesses peers, PvpSwitch sw, Path dir, String filePrefix, int frameBytes, boolean flowgen)
    {
        /** @return {frames testpmd received per µs, frames it sent per µs} (Mpps), zeros when the run failed */
        double[] measure(final int warmUpSeconds, final int measureSeconds) throws IOException, InterruptedException
        {
            InteractiveTestpmd vms = null;
            try
            {
                sw.start(dir);
                final String server = sw.vmListens() ? ",server=1" : "";
                vms = InteractiveTestpmd.start(peers, dir.resolve("vms.log"),
                    List.of("-l", "0,1", "--main-lcore", "1", "--no-pci", "--no-huge", "-m", "1024", "--file-prefix=" + filePrefix,
                        "--vdev", "net_virtio_user0,path=" + sw.socketA() + ",mac=" + MAC_A + ",queues=1" + server,
                        "--vdev", "net_virtio_user1,path=" + sw.socketB() + ",mac=" + MAC_B + ",queues=1" + server),
                    List.of("--total-num-mbufs=16384", "--forward-mode=" + (flowgen ? "flowgen" : "io"), "--eth-peer=0," + MAC_B, "--eth-peer=1," + MAC_A,
                        "--txpkts=" + frameBytes, "--no-flush-rx"));
                if (!vms.awaitPrompt(60_000))
                {
                    throw new IOException("the loop's testpmd did not come up:\n" + PvpSwitch.tail(vms.log(), 30));
                }
                if (!vms.awaitLinksUp(30_000))
                {
                    throw new IOException("the loop's ports did not come up:\n" + PvpSwitch.tail(vms.log(), 30));
                }
                sw.beforeTraffic();
                Thread.sleep(300);
                vms.send(flowgen ? "start" : "start tx_first 16");
                Thread.sleep(warmUpSeconds * 1000L);
                final long[] before = vms.portCounters();
                final long t0 = System.nanoTime();
                Thread.sleep(measureSeconds * 1000L);
                final long[] after = vms.portCounters();
                final long t1 = System.nanoTime();
                if (null == before || null == after)
                {
                    throw new IOException("testpmd gave no port statistics:\n" + PvpSwitch.tail(vms.log(), 30));
                }
                final long received = after[0] - before[0] + after[2] - before[2];
                final long sent = after[1] - before[1] + after[3] - before[3];
                vms.send("stop");
                return new double[] {received * 1000.0 / (t1 - t0), sent * 1000.0 / (t1 - t0)};
            }
            catch (final IOException ex)
            {
                System.out.println(sw.label() + ": " + ex.getMessage());
                System.out.println(sw.logTail());
                return new double[2];
            }
            finally
            {
                if (null != vms)
                {
                    vms.quit();
                    peers.stop(vms.process(), 3000);
                }
                sw.stop();
            }
        }
    }
}
