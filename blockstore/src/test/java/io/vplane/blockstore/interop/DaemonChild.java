package io.vplane.blockstore.interop;

import io.vplane.engine.daemon.RunDirectory;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementClientException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon as a process of its own ({@code VplaneCli run} on this module's test class path, with
 * the project's JVM options), so a test can kill it with SIGKILL mid-request and start it again on
 * the same config. The process is killed on every exit path, also by a shutdown hook.
 */
final class DaemonChild implements AutoCloseable
{
    private static final Path JVM_OPTIONS = Path.of("../bin/jvm.options").toAbsolutePath().normalize();

    final Process process;
    final ManagementClient api;
    private final Path log;
    private final Thread hook;

    private DaemonChild(final Process process, final ManagementClient api, final Path log)
    {
        this.process = process;
        this.api = api;
        this.log = log;
        this.hook = new Thread(process::destroyForcibly, "daemon-child-kill");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code vplane run -c config} and waits (up to a minute) until its management API answers. */
    static DaemonChild start(final Path config, final Path runDir, final Path log) throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process process = new ProcessBuilder(java, "@" + JVM_OPTIONS, "-Xmx256m", "-cp",
            System.getProperty("java.class.path"), "io.vplane.engine.cli.VplaneCli", "run", "-c", config.toString())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        final DaemonChild child = new DaemonChild(process, new ManagementClient(new RunDirectory(runDir).managementSocketUrl()), log);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                // A socket file left by a killed daemon is there before this one listens on it.
                child.api.get("/disk/list");
                return child;
            }
            catch (final ManagementClientException | UncheckedIOException ex)
            {
                if (!process.isAlive() || System.nanoTime() - deadline > 0)
                {
                    child.close();
                    throw new AssertionError("the daemon did not start: " + ex.getMessage() + "\n" + child.log(), ex);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no closing of anything. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    String log()
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /** Stops it with SIGTERM, waiting up to 30 s, then SIGKILL. */
    @Override
    public void close()
    {
        try
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignored)
            {
                // the JVM is shutting down; the hook kills it
            }
        }
    }
}
