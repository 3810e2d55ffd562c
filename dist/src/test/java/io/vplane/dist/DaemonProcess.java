package io.vplane.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/vplane run --config FILE} as a child process, its output in a log file next to the config. */
final class DaemonProcess implements AutoCloseable
{
    /** A JVM that pre-touches its heap starts in a few seconds, but a shared machine may take much longer. */
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);

    final Process process;
    final String url;
    private final Path log;

    private DaemonProcess(final Process process, final Path log, final String url)
    {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /** Starts the daemon and waits (at most 60 s) until its management socket is in {@code runDir}. */
    static DaemonProcess start(final Path config, final Path runDir) throws Exception
    {
        return await(VplaneProcess.start(config.resolveSibling("daemon.log"), "run", "--config", config.toString()),
            config.resolveSibling("daemon.log"), runDir);
    }

    /** As {@link #start}, under {@code nohup}: the daemon starts with SIGHUP ignored, as an operator's nohup leaves it. */
    static DaemonProcess startUnderNohup(final Path config, final Path runDir) throws Exception
    {
        final Path log = config.resolveSibling("daemon.log");
        return await(VplaneProcess.startWith(List.of("nohup"), log, "run", "--config", config.toString()), log, runDir);
    }

    /**
     * Starts the daemon with the run and state directories systemd would give it ($RUNTIME_DIRECTORY,
     * $STATE_DIRECTORY), so a config that leaves them empty (the embedded default) runs in them, and
     * waits until it listens.
     */
    static DaemonProcess startInDirectories(final Path runDir, final Path stateDir, final Path log, final String... args)
        throws Exception
    {
        return await(VplaneProcess.start(log, java.util.Map.of("RUNTIME_DIRECTORY", runDir.toString(),
            "STATE_DIRECTORY", stateDir.toString()), args), log, runDir);
    }

    /**
     * Starts the daemon again on a run directory a killed daemon left behind (stale pid file, socket,
     * counters): waits until the counters file and the pid file are the new process's own.
     */
    static DaemonProcess restart(final Path config, final Path runDir) throws Exception
    {
        final Path log = config.resolveSibling("daemon-restarted.log");
        final Process process = VplaneProcess.start(log, "run", "--config", config.toString());
        try
        {
            final long deadline = System.nanoTime() + START_TIMEOUT_NS;
            while (process.pid() != pidIn(runDir.resolve("counters.dat")) ||
                !readOrEmpty(runDir.resolve("vplane.pid")).strip().equals(Long.toString(process.pid())))
            {
                assertThat(process.isAlive()).as("daemon exited early:\n" + read(log)).isTrue();
                assertThat(System.nanoTime() - deadline).as("daemon did not take over its run directory in time:\n" + read(log))
                    .isNegative();
                Thread.sleep(100);
            }
        }
        catch (final Exception | AssertionError ex)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw ex;
        }
        return await(process, log, runDir);
    }

    /** The daemon pid in a counters file's header (engine CountersFile: a long at offset 16), or -1. */
    private static long pidIn(final Path countersFile)
    {
        try
        {
            final byte[] header = Files.readAllBytes(countersFile);
            return header.length < 24 ? -1 : java.nio.ByteBuffer.wrap(header, 16, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String readOrEmpty(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static DaemonProcess await(final Process process, final Path log, final Path runDir) throws Exception
    {
        try
        {
            return awaitSocket(process, log, runDir);
        }
        catch (final Exception | AssertionError ex)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // no daemon outlives a failed start
            throw ex;
        }
    }

    private static DaemonProcess awaitSocket(final Process process, final Path log, final Path runDir) throws Exception
    {
        final Path socket = runDir.resolve("management.sock");
        final long deadline = System.nanoTime() + START_TIMEOUT_NS;
        while (!Files.exists(socket))
        {
            assertThat(process.isAlive()).as("daemon exited early:\n" + read(log)).isTrue();
            assertThat(System.nanoTime() - deadline).as("daemon did not start in 120 s:\n" + read(log)).isNegative();
            Thread.sleep(100);
        }
        return new DaemonProcess(process, log, "unix:" + socket);
    }

    /**
     * Writes DIR/vplane.yaml for a daemon in {@code runDir} with one vhost-user port vm1 (vm1.sock,
     * {@code portMode} server or client) and one 16 MiB NBD disk d0 on {@code nbdPort} for loopback clients.
     */
    static Path writePortAndDiskConfig(final Path dir, final Path runDir, final int nbdPort, final String portMode) throws IOException
    {
        return writePortsAndDiskConfig(dir, runDir, nbdPort, portMode, "vm1");
    }

    /** As {@link #writePortAndDiskConfig} with one vhost-user port NAME (NAME.sock) per name. */
    static Path writePortsAndDiskConfig(final Path dir, final Path runDir, final int nbdPort, final String portMode,
        final String... ports) throws IOException
    {
        final StringBuilder portLines = new StringBuilder();
        for (final String port : ports)
        {
            portLines.append("    - {name: %s, socketPath: %s.sock, mode: %s}\n".formatted(port, port, portMode));
        }
        final Path config = dir.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            devices:
              vhostUser:
            %snbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: d0, image: d0.img, sizeBytes: 16777216, tenant: local}
            """.formatted(runDir, dir, portLines, nbdPort));
        return config;
    }

    /** After a test: the daemon (if any) and then every peer it started (if any), killed. */
    static void closeAll(final DaemonProcess daemon, final PeerProcesses peers) throws InterruptedException
    {
        if (null != daemon)
        {
            daemon.close();
        }
        if (null != peers)
        {
            peers.close();
        }
    }

    long pid()
    {
        return process.pid();
    }

    /** The daemon's output so far, to explain a failure. */
    String log()
    {
        return read(log);
    }

    /** Sends SIGHUP: reload the config file. */
    void reload() throws Exception
    {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /** Sends SIGTERM and requires exit 0 within 60 s. */
    void stopCleanly() throws InterruptedException
    {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(log()).isTrue();
        assertThat(process.exitValue()).as(log()).isZero();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(final Path log)
    {
        try
        {
            return "daemon log:\n" + Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "daemon log unreadable: " + ex;
        }
    }
}
