package io.vplane.blockstore.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away one-node Ceph cluster (one monitor, one OSD on memstore, loopback only, everything
 * under one directory, nothing in /etc/ceph) for the RBD interop tests, brought up by
 * {@code src/test/ceph/ceph-one-node.sh} within 90 s. The daemons' pids are recorded as soon as
 * they run, and {@link #close()} (also run by a shutdown hook, should the test JVM be stopped)
 * kills exactly those.
 */
final class CephCluster implements AutoCloseable
{
    private static final Path SCRIPT = Path.of("src/test/ceph/ceph-one-node.sh").toAbsolutePath();
    private static final long START_TIMEOUT_S = 90;

    final Path dir;
    final Path conf;
    private final Map<String, String> env;
    private final List<Long> pids = new ArrayList<>();
    private final Thread hook = new Thread(this::stop, "ceph-one-node-stop");
    private boolean stopped;

    private CephCluster(final Path dir)
    {
        this.dir = dir;
        this.conf = dir.resolve("ceph.conf");
        this.env = Map.of("CEPH_ONE_NODE_DIR", dir.toString(), "CEPH_MON_PORT", Integer.toString(freePort()),
            "CEPH_STORE_SIZE", "1G", "CEPH_IMAGE_SIZE", "64M", "CEPH_TIMEOUT", Long.toString(START_TIMEOUT_S - 5),
            "CEPH_CONF", dir.resolve("ceph.conf").toString());
    }

    /** Brings the cluster up with pool {@code rbd} and a 64 MiB image {@code img}; fails the test with the script's output if it cannot. */
    static CephCluster start(final Path parent)
    {
        final CephCluster cluster = new CephCluster(parent.resolve("ceph"));
        Runtime.getRuntime().addShutdownHook(cluster.hook);
        try
        {
            cluster.script(START_TIMEOUT_S, "start");
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
        finally
        {
            cluster.recordPids();
        }
        return cluster;
    }

    /** Runs a Ceph CLI ({@code rbd}, {@code ceph}) against this cluster; fails on a non-zero exit. */
    String cli(final long timeoutSeconds, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of(command));
        full.addAll(1, List.of("-c", conf.toString()));
        return Peer.run(timeoutSeconds, full.toArray(String[]::new));
    }

    /** The URI of an image in pool rbd, reached through this cluster's conf. */
    String uri(final String image, final String options)
    {
        return "rbd://rbd/" + image + "?conf=" + conf + (options.isEmpty() ? "" : "&" + options);
    }

    private String script(final long timeoutSeconds, final String command)
    {
        final ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        builder.environment().putAll(env);
        try
        {
            final Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("ceph-one-node.sh " + command + " did not finish within " + timeoutSeconds + " s");
            }
            final String output = new String(process.getInputStream().readAllBytes());
            if (0 != process.exitValue())
            {
                throw new AssertionError("ceph-one-node.sh " + command + " failed (install ceph-mon ceph-osd ceph-common):\n" + output);
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private void recordPids()
    {
        for (final String daemon : List.of("mon.a", "osd.0"))
        {
            final Path pidFile = dir.resolve("run").resolve(daemon + ".pid");
            try
            {
                if (Files.exists(pidFile))
                {
                    pids.add(Long.parseLong(Files.readString(pidFile).trim()));
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                // not started: nothing to kill
            }
        }
    }

    @Override
    public void close()
    {
        stop();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // already shutting down: the hook runs anyway
        }
    }

    /** The script's stop (TERM, then KILL, by pid file), then any recorded pid still alive is killed. */
    private synchronized void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        try
        {
            script(30, "stop");
        }
        catch (final RuntimeException | AssertionError ex)
        {
            // the pids below are killed anyway
        }
        for (final long pid : pids)
        {
            ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").contains("ceph-")).ifPresent(process ->
            {
                process.destroyForcibly();
                process.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(ex -> null).join();
            });
        }
    }

    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
