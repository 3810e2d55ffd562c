package io.vplane.vsock.control;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control channel's {@code vsock} transport over the kernel's AF_VSOCK: the agent listens on
 * any CID, the host connects to the local CID (1) through the {@code vsock_loopback} transport
 * (loaded with modprobe when missing and root), bytes go both ways and commands are applied
 * through it. Skips, printing the kernel's words, where the kernel has no AF_VSOCK or no loopback
 * transport (a VM whose only vsock transport is the virtio guest driver sends CID 1 to its host).
 */
@Timeout(60)
class VsockTransportIT
{
    private static final byte[] SECRET = "vm0-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long PORT = 40_000 + ProcessHandle.current().pid() % 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldCarryCommandsOverAfVsockThroughTheLoopbackCid() throws Exception
    {
        final String modprobe = modprobe();
        final VsockSocket listener;
        try
        {
            listener = VsockSocket.listen(VsockSocket.CID_ANY, PORT, 16);
        }
        catch (final IOException ex)
        {
            throw skip("this kernel has no AF_VSOCK to listen on: " + ex.getMessage());
        }
        try (listener)
        {
            try (VsockSocket probe = VsockSocket.connect(VsockSocket.CID_LOCAL, PORT, 2_000); VsockSocket peer = listener.accept())
            {
                probe.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                final ByteBuffer got = ByteBuffer.allocate(4);
                while (got.hasRemaining() && peer.read(got) > 0)
                {
                    // until 4 bytes
                }
                assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            }
            catch (final IOException ex)
            {
                throw skip("no vsock loopback transport: " + ex.getMessage() + "; modprobe vsock_loopback: " + modprobe
                    + " (a kernel without vsock_loopback hands CID 1 to its other transport)");
            }

            final InMemoryRuntime runtime = new InMemoryRuntime();
            try (AppliedJournal journal = new AppliedJournal(dir.resolve("agent.journal"));
                 ContainerAgent agent = new ContainerAgent(AgentListener.of(listener), SECRET, runtime, journal, 4).start();
                 ControlService service = new ControlService(dir.resolve("commands.journal"),
                     Map.of("vm0", new ControlService.Vm(ControlTransport.vsock(VsockSocket.CID_LOCAL, PORT), SECRET))))
            {
                service.submit("vm0", ControlFrame.OP_SCALE, "web", 3);
                service.submit("vm0", ControlFrame.OP_MEMORY, "web", 64L << 20);
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (service.commands().size() < 2 || !service.commands().stream().allMatch(c -> c.state().finished()))
                {
                    assertThat(System.nanoTime() - deadline).as("every command has a result").isNegative();
                    Thread.sleep(20);
                }
                assertThat(runtime.applied()).containsExactly("scale web 3", "memory web 67108864");
            }
        }
    }

    private static String modprobe()
    {
        try
        {
            return HostCommand.run(20, List.of("modprobe", "vsock_loopback")).isEmpty() ? "loaded" : "ok";
        }
        catch (final IllegalStateException ex)
        {
            return ex.getMessage();
        }
    }

    private static RuntimeException skip(final String reason)
    {
        System.out.println("VsockTransportIT skipped: " + reason);
        Assumptions.abort(reason);
        return new IllegalStateException(reason);
    }
}
