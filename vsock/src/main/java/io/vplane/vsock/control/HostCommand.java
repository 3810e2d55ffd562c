package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool ({@code mount}, {@code mkfs.ext4}, {@code docker} ...) with no input, bounded in
 * time, and turns a failure into the exception the agent reports to the host in the tool's own words.
 */
final class HostCommand
{
    private HostCommand()
    {
    }

    /** Runs {@code line}; returns its output (stdout and stderr), or throws with it when the status is not 0. */
    static String run(final long timeoutS, final List<String> line)
    {
        return run(timeoutS, 0, line);
    }

    /** The same, for a tool whose statuses up to {@code highestFine} mean success (e2fsck: 1 = errors corrected). */
    static String run(final long timeoutS, final int highestFine, final List<String> line)
    {
        final ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try
        {
            final Process process = builder.start();
            // the output is small (a tool's messages); read it whole, then the status
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(line.getFirst() + " " + line.get(1) + " did not finish in " + timeoutS + " s");
            }
            final String text = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() < 0 || process.exitValue() > highestFine)
            {
                throw new IllegalStateException(String.join(" ", line) + " failed (" + process.exitValue() + "): " + text);
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + line.getFirst() + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(line.getFirst() + " interrupted", ex);
        }
    }
}
