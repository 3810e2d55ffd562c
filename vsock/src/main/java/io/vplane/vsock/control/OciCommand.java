package io.vplane.vsock.control;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an OCI runtime's command line ({@code runc} or {@code crun}, both take the same verbs) with
 * its state under {@code --root}, bounded in time, and turns a failure into the exception the agent
 * reports to the host with the runtime's own words.
 */
final class OciCommand
{
    private static final long TIMEOUT_S = 30;

    private final String binary;
    private final Path root;

    OciCommand(final String binary, final Path root)
    {
        this.binary = binary;
        this.root = root;
    }

    String binary()
    {
        return binary;
    }

    /** Runs {@code binary --root ROOT args...}; returns its output, or throws with it when the status is not 0. */
    String run(final String... args)
    {
        return run(null, args);
    }

    /**
     * The same, with stdout and stderr going to {@code log}: for {@code create}, whose container
     * inherits them and would hold a pipe open for its whole life.
     */
    String run(final Path log, final String... args)
    {
        final List<String> line = new ArrayList<>(List.of(binary, "--root", root.toString()));
        line.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path output = log;
        try
        {
            if (null == output)
            {
                output = Files.createTempFile(root, "cmd", ".out");
            }
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            final long before = Files.exists(output) ? Files.size(output) : 0;
            final Process process = builder.start();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(binary + " " + args[0] + " did not finish in " + TIMEOUT_S + " s");
            }
            final byte[] all = Files.readAllBytes(output);
            final String text = new String(all, (int)Math.min(before, all.length), (int)(all.length - Math.min(before, all.length)),
                StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(binary + " " + args[0] + " failed (" + process.exitValue() + "): " + text);
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + binary + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(binary + " " + args[0] + " interrupted", ex);
        }
        finally
        {
            if (null == log && null != output)
            {
                try
                {
                    Files.deleteIfExists(output);
                }
                catch (final IOException ignore)
                {
                    // a temporary file in the runtime's own directory
                }
            }
        }
    }
}
