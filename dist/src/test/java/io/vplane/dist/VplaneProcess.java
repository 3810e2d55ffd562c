package io.vplane.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/vplane} of the source tree as a child process, as an operator would. */
final class VplaneProcess
{
    static final Path HOME = Path.of(System.getProperty("vplane.home", "..")).toAbsolutePath().normalize();

    private VplaneProcess()
    {
    }

    /** Starts {@code bin/vplane ARGS}, its output going to {@code log}. */
    static Process start(final Path log, final String... args) throws IOException
    {
        return start(log, java.util.Map.of(), args);
    }

    /** Starts {@code bin/vplane ARGS} with {@code env} added to its environment, its output going to {@code log}. */
    static Process start(final Path log, final java.util.Map<String, String> env, final String... args) throws IOException
    {
        return start(List.of(), log, env, args);
    }

    /** Starts {@code PREFIX bin/vplane ARGS} (e.g. under {@code nohup}), its output going to {@code log}. */
    static Process startWith(final List<String> prefix, final Path log, final String... args) throws IOException
    {
        return start(prefix, log, java.util.Map.of(), args);
    }

    private static Process start(final List<String> prefix, final Path log, final java.util.Map<String, String> env,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(HOME.resolve("bin/vplane").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs {@code bin/vplane ARGS} to completion (at most 60 s) and returns its exit code and output. */
    static Result run(final Path workDir, final String... args) throws IOException, InterruptedException
    {
        final Path log = Files.createTempFile(workDir, "vplane-cmd", ".log");
        final Process process = start(log, args);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("vplane " + String.join(" ", args) + " did not finish in 60 s:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    record Result(int exitCode, String output)
    {
    }
}
