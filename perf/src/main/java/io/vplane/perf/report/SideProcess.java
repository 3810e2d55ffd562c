package io.vplane.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one invocation of a benchmark script ({@code --sides} or {@code --side S}) with its stdout and
 * stderr in files, within a time limit; on a timeout, or when this JVM is stopped, it ends the script
 * and every process the script started, and nothing else.
 */
final class SideProcess
{
    private static final int TAIL_LINES = 40;
    private static volatile Process running;

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            final Process process = running;
            if (process != null)
            {
                stop(process);
            }
        }, "side-process-stop"));
    }

    /** What one invocation printed and how it ended. */
    record Outcome(int exitCode, boolean timedOut, Path out, Path err)
    {
        boolean ok()
        {
            return exitCode == 0 && !timedOut;
        }

        String stdout() throws IOException
        {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        /** The last lines of stdout then stderr, for a failure report. */
        String tail() throws IOException
        {
            return "--- stdout (tail) ---\n" + lastLines(out) + "--- stderr (tail) ---\n" + lastLines(err);
        }
    }

    private SideProcess()
    {
    }

    static Outcome run(final List<String> command, final Path logBase, final Duration limit) throws IOException, InterruptedException
    {
        Files.createDirectories(logBase.toAbsolutePath().getParent());
        final Path out = Path.of(logBase + ".out");
        final Path err = Path.of(logBase + ".err");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        running = process;
        try
        {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS))
            {
                stop(process);
                return new Outcome(-1, true, out, err);
            }
            return new Outcome(process.exitValue(), false, out, err);
        }
        finally
        {
            running = null;
        }
    }

    /** SIGTERM to the script first so its own clean-up runs, then SIGKILL to whatever of its tree is left. */
    private static void stop(final Process process)
    {
        final List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String lastLines(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return "";
        }
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final StringBuilder tail = new StringBuilder();
        lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(line -> tail.append(line).append('\n'));
        return tail.toString();
    }
}
