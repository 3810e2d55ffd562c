package io.vplane.dist;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real peers a test starts (testpmd, fio, ...), each logging to DIR/NAME.log; {@link #close} kills exactly those. */
final class PeerProcesses implements AutoCloseable
{
    static final Path TESTPMD = Path.of("/usr/bin/dpdk-testpmd");

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    PeerProcesses(final Path dir)
    {
        this.dir = dir;
    }

    Process start(final String name, final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
    }

    /** testpmd as a virtio-user frontend sending 64-byte frames flat out, under timeout(1) as a last resort. */
    Process testpmdTxOnly(final String name, final String vdevPath) throws IOException
    {
        assertThat(TESTPMD).as("install the Debian package dpdk").isExecutable();
        return start(name, "timeout", "-s", "KILL", "400", TESTPMD.toString(),
            "--no-pci", "--no-huge", "-m", "1024", "-l", "0,1", "--main-lcore", "1",
            "--file-prefix=vplane-" + name + "-" + ProcessHandle.current().pid(),
            "--vdev", "net_virtio_user0,path=" + vdevPath,
            "--", "--total-num-mbufs=16384", "--forward-mode=txonly", "-a", "--stats-period=1");
    }

    /** SIGKILL to the peer and its children (testpmd under timeout(1), fio's job processes), children first. */
    static void kill(final Process process) throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final Process process : started.reversed())
        {
            kill(process);
        }
    }
}
