package io.vplane.blockstore.interop;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs a real NBD peer (qemu-img, nbdinfo, nbdcopy, fio) as a child process with a timeout. A
 * missing binary fails the test: CI installs every peer.
 */
final class Peer
{
    record Result(int exitCode, String output)
    {
    }

    private Peer()
    {
    }

    /** Runs the command and fails, printing its output, unless it exits 0. */
    static String run(final long timeoutSeconds, final String... command)
    {
        final Result result = runAllowingFailure(timeoutSeconds, command);
        if (0 != result.exitCode())
        {
            fail("%s exited %d:%n%s", String.join(" ", command), result.exitCode(), result.output());
        }
        return result.output();
    }

    static Result runAllowingFailure(final long timeoutSeconds, final String... command)
    {
        final ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            return fail("cannot run %s (install it: apt-get install qemu-utils libnbd-bin fio nbdkit): %s",
                command[0], ex.getMessage());
        }
        try
        {
            process.getOutputStream().close();
            final boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished)
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                final String partial = new String(process.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
                return fail("%s did not finish within %d s; output so far:%n%s", String.join(" ", command),
                    timeoutSeconds, partial);
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), output);
        }
        catch (final IOException ex)
        {
            return fail("reading output of %s: %s", command[0], ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return fail("interrupted running %s", command[0]);
        }
    }

    /** Waits (at most 5 s) until a peer started in the background listens on {@code port}. */
    static void awaitPort(final int port) throws InterruptedException
    {
        for (int i = 0; i < 100; i++)
        {
            try (Socket ignored = new Socket("127.0.0.1", port))
            {
                return;
            }
            catch (final IOException ex)
            {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        throw new AssertionError("nothing listens on port " + port);
    }
}
