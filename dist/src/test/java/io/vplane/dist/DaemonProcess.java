package io.vplane.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/vplane run --config FILE} as a child process, its output in a log file next to the config. */
final class DaemonProcess implements AutoCloseable
{
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
        final Path log = config.resolveSibling("daemon.log");
        final Process process = VplaneProcess.start(log, "run", "--config", config.toString());
        final Path socket = runDir.resolve("management.sock");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket))
        {
            assertThat(process.isAlive()).as("daemon exited early:\n" + read(log)).isTrue();
            assertThat(System.nanoTime() - deadline).as("daemon did not start in 60 s:\n" + read(log)).isNegative();
            Thread.sleep(100);
        }
        return new DaemonProcess(process, log, "unix:" + socket);
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
