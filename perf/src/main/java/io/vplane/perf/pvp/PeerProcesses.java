package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every process the benchmark starts, by pid: each is written to a pid file as soon as it runs (so
 * the calling script can kill exactly these if this JVM dies), and killed by {@link #stop} or, on
 * any exit of this JVM (end, exception, SIGINT/SIGTERM), by a shutdown hook.
 */
final class PeerProcesses implements AutoCloseable
{
    private final Path pidFile;
    private final List<Process> running = new ArrayList<>();

    PeerProcesses(final Path pidFile)
    {
        this.pidFile = pidFile;
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "pvp-peers-kill"));
    }

    /** Starts {@code command} with its output in {@code log} (stdin a pipe unless {@code interactive} is false). */
    synchronized Process start(final List<String> command, final Path log, final boolean interactive, final String... env)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (null != log)
        {
            builder.redirectOutput(log.toFile());
        }
        if (!interactive)
        {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        for (int i = 0; i + 1 < env.length; i += 2)
        {
            builder.environment().put(env[i], env[i + 1]);
        }
        final Process process = builder.start();
        running.add(process);
        Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.US_ASCII,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return process;
    }

    /** Runs a short command to its end (a control tool: ovs-vsctl, ovsdb-tool), failing on a non-zero exit. */
    String run(final List<String> command, final String... env) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile(pidFile.getParent(), "cmd", ".out");
        final Process process = start(command, out, false, env);
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            stop(process);
            throw new IOException("timed out: " + String.join(" ", command));
        }
        forget(process);
        final String output = Files.readString(out);
        if (process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }

    /** SIGTERM, then SIGKILL after {@code graceMs}, waiting until the process is gone. */
    void stop(final Process process, final long graceMs)
    {
        if (process.isAlive())
        {
            process.destroy();
            try
            {
                if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        forget(process);
    }

    void stop(final Process process)
    {
        stop(process, 2000);
    }

    private synchronized void forget(final Process process)
    {
        running.remove(process);
    }

    @Override
    public void close()
    {
        final List<Process> all;
        synchronized (this)
        {
            all = new ArrayList<>(running);
        }
        for (final Process process : all.reversed())
        {
            process.destroyForcibly();
        }
        for (final Process process : all)
        {
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this)
        {
            running.clear();
        }
    }
}
