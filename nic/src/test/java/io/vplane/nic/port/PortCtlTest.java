package io.vplane.nic.port;

import io.vplane.engine.cli.VplaneCli;
import io.vplane.engine.daemon.Daemon;
import io.vplane.nic.NetDeviceKind;
import io.vplane.nic.vswitch.VswitchRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vplane ctl port} against a daemon running in-process with a vSwitch and the real vhost-user provider. */
@Timeout(60)
class PortCtlTest
{
    @TempDir
    Path dir;

    private Daemon daemon;
    private VswitchRegistry switches;
    private String url;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws Exception
    {
        final Path config = dir.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: '%s', socketDir: '%s'}
            devices: {loopback: []}
            vswitch: {enabled: true, name: ctlsw}
            """.formatted(dir.resolve("run"), dir));
        daemon = Daemon.start(config);
        url = daemon.runDirectory().managementSocketUrl();
        switches = daemon.kinds().kind(NetDeviceKind.class).switches();
    }

    @AfterEach
    void stop()
    {
        daemon.close();
    }

    @Test
    void shouldAddListAndDeleteASwitchedPort()
    {
        final Path socket = dir.resolve("vm9.sock");
        assertThat(execute("port", "add", "--url", url, "--name", "vm9", "--socket", socket.toString(), "--mode", "server",
            "--queue-pairs", "2", "--mac", "02:00:00:00:00:09", "--guest-tx", "switch", "--guest-rx", "idle",
            "--vswitch", "ctlsw")).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("added vm9").contains("vhostUser", "4 queues");
        assertThat(Files.exists(socket)).isTrue();
        assertThat(switches.find("ctlsw").ports()).containsExactly("vm9");

        assertThat(execute("port", "list", "--url", url)).isZero();
        assertThat(out.toString()).contains("vm9").doesNotContain("ctlsw");

        assertThat(execute("port", "del", "--url", url, "--name", "vm9")).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("removed vm9\n");
        assertThat(switches.find("ctlsw").ports()).isEmpty();
        assertThat(execute("port", "list", "--url", url)).isZero();
        assertThat(out.toString()).isEqualTo("(no ports)\n");
    }

    @Test
    void shouldNeverDeleteAFileNamedAsASocketPath() throws Exception
    {
        // The port would unlink its socket path before binding: a file or a path elsewhere must survive.
        final Path inside = Files.writeString(dir.resolve("vplane.yaml.bak"), "precious");
        final Path outside = Files.writeString(Files.createTempFile("victim", ".conf"), "precious");
        try
        {
            assertThat(execute("port", "add", "--url", url, "--name", "e1", "--socket", inside.toString())).isEqualTo(1);
            assertThat(err.toString()).contains("not a socket");
            assertThat(execute("port", "add", "--url", url, "--name", "e2", "--socket", outside.toString())).isEqualTo(1);
            assertThat(err.toString()).contains("outside the allowed directories");
            assertThat(execute("port", "add", "--url", url, "--name", "e3", "--socket", "../vplane.yaml")).isEqualTo(1);
            assertThat(err.toString()).contains("'..'");

            assertThat(inside).hasContent("precious");
            assertThat(outside).hasContent("precious");
            assertThat(dir.resolve("vplane.yaml")).exists();
        }
        finally
        {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void shouldReportTheDaemonsValidationAndRefuseToDeleteAnotherKind()
    {
        assertThat(execute("port", "add", "--url", url, "--name", "bad", "--socket", dir.resolve("b.sock").toString(),
            "--guest-tx", "teleport")).isEqualTo(1);
        assertThat(err.toString()).contains("guestTx", "teleport");

        assertThat(execute("port", "del", "--url", url, "ctlsw")).isEqualTo(1);
        assertThat(err.toString()).contains("no vhost-user port named 'ctlsw'");
        assertThat(switches.find("ctlsw")).isNotNull();
    }

    private int execute(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        // the kinds' ctl subcommands hang under the root command line, which parses from "vplane"
        final CommandLine commandLine = VplaneCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(Stream.concat(Stream.of("ctl"), Arrays.stream(args)).toArray(String[]::new));
    }
}
