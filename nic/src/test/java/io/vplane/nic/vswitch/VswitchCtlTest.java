package io.vplane.nic.vswitch;

import io.vplane.engine.cli.VplaneCli;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.management.ManagementListener;
import io.vplane.engine.management.ManagementServer;
import io.vplane.nic.NetDeviceKind;
import io.vplane.nic.frame.IpAddressKey;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vplane ctl vswitch} against the real management server, serving the net kind's routes. */
@Timeout(30)
class VswitchCtlTest
{
    private final NetDeviceKind kind = new NetDeviceKind();
    private final VswitchRegistry switches = kind.switches();
    private final Counters counters = Counters.inMemory(256);
    private final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("ctl0"), counters, SystemNanoClock.INSTANCE);
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private ManagementServer server;

    @TempDir
    Path dir;
    private String url;

    @BeforeEach
    void start()
    {
        switches.register("ctl0", stage);
        server = new ManagementServer(new ManagementListener.UnixSocket(dir.resolve("management.sock"), ""), null,
            counters.reader(), kind.managementExtensions());
        url = server.start();
    }

    @AfterEach
    void stop()
    {
        server.close();
        switches.unregister("ctl0", stage);
        stage.close();
    }

    @Test
    void shouldAddListAndDeleteThroughTheCli()
    {
        assertThat(execute("vswitch", "add", "--url", url, "--switch", "ctl0", "--ip", "fd00::2",
            "--local-mac", "02:00:00:00:00:02", "--global-mac", "02:ff:00:00:00:01", "--port", "vm1")).isZero();
        final long[] key = IpAddressKey.parse("fd00::2");
        assertThat(stage.table().snapshot().find(key[0], key[1])).isNotNegative();

        assertThat(execute("vswitch", "list", "--url", url, "--json")).isZero();
        assertThat(out.toString().replaceAll("\\s", "")).contains("\"ip\":\"fd00::2\"", "\"port\":\"vm1\"");

        assertThat(execute("vswitch", "del", "--url", url, "--ip", "fd00::2")).isZero();
        assertThat(stage.table().snapshot().find(key[0], key[1])).isEqualTo(-1);
    }

    @Test
    void shouldFailWithTheApiMessage()
    {
        assertThat(execute("vswitch", "del", "--url", url, "--ip", "10.9.9.9")).isEqualTo(1);
        assertThat(err.toString()).contains("no entry for ip 10.9.9.9");
        assertThat(execute("vswitch", "add", "--url", url, "--ip", "10.9.9.9")).isEqualTo(2);
    }

    private int execute(final String... args)
    {
        // the kinds' ctl subcommands hang under the root command line, which parses from "vplane"
        final CommandLine commandLine = VplaneCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(Stream.concat(Stream.of("ctl"), Arrays.stream(args)).toArray(String[]::new));
    }
}
