package io.vplane.perf.report;

import java.util.List;

/**
 * Processes that spin on a CPU and would take it from the sides being measured: DPDK testpmd, Open
 * vSwitch's datapath, a fio or NBD server left from an earlier run, a guest, and any vplane daemon or
 * JVM with vplane worker threads (named "vplane-…").
 */
public final class LeftoverPollers
{
    /** Command names (/proc/PID/comm, at most 15 characters) of such pollers, matched as prefixes. */
    static final List<String> COMMANDS = List.of(
        "dpdk-testpmd", "testpmd", "ovs-vswitchd", "fio", "qemu-nbd", "nbdkit", "qemu-system-", "iperf3", "dpdk-");

    static final String DAEMON_MAIN = "io.vplane.engine.cli.VplaneCli";
    static final String WORKER_THREAD_PREFIX = "vplane-";

    private LeftoverPollers()
    {
    }

    /** True when a process with this command name, command line and thread names is such a poller. */
    public static boolean isPoller(final String comm, final String cmdline, final List<String> threadNames)
    {
        if (COMMANDS.stream().anyMatch(comm::startsWith))
        {
            return true;
        }
        if (cmdline.contains(DAEMON_MAIN) && (" " + cmdline + " ").contains(" run "))
        {
            return true;
        }
        return threadNames.stream().anyMatch(name -> name.startsWith(WORKER_THREAD_PREFIX));
    }
}
