package io.vplane.vsock.device;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux guest under QEMU 7.2 (TCG) whose {@code vhost-user-vsock-pci} device is a vplane vsock
 * device: {@code virtio/src/test/guest/boot_guest.sh} (Debian's kernel with its own
 * {@code vmw_vsock_virtio_transport}, busybox and socat in an initramfs) runs one shell command in
 * the guest and powers off. The script and every process under it are killed on close.
 */
final class QemuGuest implements AutoCloseable
{
    private static final Path SCRIPT = Path.of("../virtio/src/test/guest/boot_guest.sh");

    private final Process process;
    private final List<String> console = new ArrayList<>();
    private final Thread reader;

    QemuGuest(final Path vhostUserSocket, final String command) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(SCRIPT.toAbsolutePath().toString(), "--vsock-vu", vhostUserSocket.toString(),
            "--timeout", "150", "--", command).redirectErrorStream(true);
        process = builder.start();
        reader = Thread.ofVirtual().start(() ->
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    synchronized (console)
                    {
                        console.add(line);
                        console.notifyAll();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        });
    }

    /** Waits until a console line contains {@code marker}; fails with the console after {@code seconds}. */
    String await(final String marker, final long seconds) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (console)
        {
            while (true)
            {
                for (final String line : console)
                {
                    if (line.contains(marker))
                    {
                        return line;
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive()))
                {
                    throw new AssertionError("no '" + marker + "' from the guest; its console:\n" + String.join("\n", console));
                }
                console.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The exit status of the guest's command (boot_guest.sh passes it on). */
    int awaitExit(final long seconds) throws InterruptedException
    {
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            throw new AssertionError("the guest did not power off in " + seconds + " s; its console:\n" + console());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** Builds the guest's kernel and initramfs cache if needed, so a timed test does not pay for it. */
    static void buildCache() throws IOException, InterruptedException
    {
        final Process build = new ProcessBuilder(SCRIPT.toAbsolutePath().toString(), "--build").inheritIO().start();
        if (!build.waitFor(600, TimeUnit.SECONDS))
        {
            build.destroyForcibly();
            throw new AssertionError("boot_guest.sh --build did not finish in 600 s");
        }
        if (build.exitValue() != 0)
        {
            throw new AssertionError("boot_guest.sh --build failed with " + build.exitValue());
        }
    }

    /** The QEMU process of this guest. */
    ProcessHandle qemu()
    {
        return process.descendants().filter(p -> p.info().command().orElse("").contains("qemu-system"))
            .findFirst().orElseThrow(() -> new AssertionError("no QEMU under the boot script"));
    }

    /** Sends QEMU a signal by name (STOP freezes the guest, CONT lets it go on). */
    void signalQemu(final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(qemu().pid())).inheritIO().start();
        if (kill.waitFor() != 0)
        {
            throw new AssertionError("kill -s " + signal + " failed");
        }
    }

    String console()
    {
        synchronized (console)
        {
            return String.join("\n", console);
        }
    }

    @Override
    public void close()
    {
        // exactly the processes this guest started: the script, its timeout and QEMU
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
