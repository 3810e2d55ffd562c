package io.vplane.perf.pvp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The switch under test between the loop's two VM sockets. It busy-polls on CPU 1; the loop's
 * testpmd forwards on CPU 0.
 */
interface PvpSwitch
{
    /** Short name in the table. */
    String label();

    /** Brings the switch up with its two VM sockets under {@code dir}. */
    void start(Path dir) throws IOException, InterruptedException;

    /** VM a's socket. */
    Path socketA();

    /** VM b's socket. */
    Path socketB();

    /** Whether testpmd's virtio-user listens ({@code server=1}) and the switch connects. */
    default boolean vmListens()
    {
        return false;
    }

    /** Once the loop's testpmd has both ports up, before it sends its first frames. */
    default void beforeTraffic() throws IOException, InterruptedException
    {
    }

    /** Takes the switch down and every process it started. */
    void stop() throws IOException, InterruptedException;

    /** What the switch logged, for a failed run. */
    String logTail() throws IOException;

    static boolean awaitSocket(final Path socket, final Process owner, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            if (Files.exists(socket))
            {
                return true;
            }
            if (null != owner && !owner.isAlive())
            {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    static String tail(final Path log, final int lines) throws IOException
    {
        if (!Files.exists(log))
        {
            return "(no log)";
        }
        final var all = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
