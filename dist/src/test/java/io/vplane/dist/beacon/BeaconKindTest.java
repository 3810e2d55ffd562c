package io.vplane.dist.beacon;

import io.vplane.config.ConfigException;
import io.vplane.engine.cli.VplaneCli;
import io.vplane.engine.daemon.Daemon;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ReloadReport;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A device kind that lives only in this test source set plugs into an unchanged engine and config
 * through the SPI: its section is read and checked, its devices run with their counters, its route
 * answers, {@code vplane ctl} has its subcommand and {@code vplane stat} its table.
 */
@Timeout(60)
class BeaconKindTest
{
    private static final String CONFIG = """
        daemon: {runDir: '%s'}
        management: {httpPort: 0}
        nbd: {port: 0}
        devices:
          beacon:
            - {name: b1, start: %d}
        """;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path configFile;
    private Daemon daemon;
    private String url;

    @BeforeEach
    void start() throws Exception
    {
        configFile = dir.resolve("vplane.yaml");
        Files.writeString(configFile, CONFIG.formatted(dir.resolve("run"), 2));
        daemon = Daemon.start(configFile);
        url = daemon.runDirectory().managementSocketUrl();
    }

    @AfterEach
    void stop()
    {
        daemon.close();
    }

    @Test
    void shouldRunTheDeclaredBeaconOnItsPool() throws Exception
    {
        assertThat(daemon.config().section(BeaconConfig.class).beacons()).containsExactly(new BeaconConfig.Beacon("b1", 2));
        assertThat(execute("ctl", "device", "list", "--url", url)).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("b1 +beacon +vsock +1 queues");
    }

    @Test
    void shouldAnswerItsCtlSubcommandThroughItsRouteAndCountInTheCountersFile() throws Exception
    {
        assertThat(execute("ctl", "beacon", "--url", url, "--name", "b1")).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("b1 pinged 3 times\n");

        assertThat(new ManagementClient(url).get("/metrics")).contains(BeaconDevice.PINGS + "{device=\"b1\"} 3");
        assertThat(execute("stat", "--run-dir", dir.resolve("run").toString(), "--once", "--interval-ms", "10"))
            .as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("Beacons\n  device +pings/s +pings\n  b1 +[-0-9.,]+ +3\n")
            .doesNotContain(BeaconDevice.PINGS);

        assertThat(execute("ctl", "beacon", "--url", url, "--name", "nope")).isEqualTo(1);
        assertThat(err.toString()).contains("nope");
    }

    @Test
    void shouldCheckItsSectionWithPathsAndReloadItLive() throws Exception
    {
        final ConfigException ex = catchThrowableOfType(ConfigException.class, () -> DeviceKinds.load().parse(
            "devices: {beacon: [{name: b2, start: 5000}, {name: b2}]}", "bad.yaml"));
        assertThat(ex.errors()).extracting(error -> error.path(), error -> error.message()).containsExactly(
            tuple("devices.beacon[0].start", "5000 is out of range; allowed 0..1000"),
            tuple("devices.beacon[1].name", "device name 'b2' is used twice; first at line 1"));

        Files.writeString(configFile, CONFIG.formatted(dir.resolve("run"), 7) + "    - {name: b2}\n");
        final ReloadReport report = daemon.reload();

        assertThat(report.changes()).extracting(ReloadReport.Change::path, ReloadReport.Change::outcome).containsExactly(
            tuple("devices.beacon.b1", ReloadReport.Outcome.APPLIED),
            tuple("devices.beacon.b2", ReloadReport.Outcome.APPLIED));
        assertThat(daemon.device("b2")).isInstanceOf(BeaconDevice.class);
        assertThat(((BeaconDevice)daemon.device("b1")).ping()).isEqualTo(8);
    }

    private int execute(final String... args)
    {
        out.getBuffer().setLength(0);
        final CommandLine commandLine = VplaneCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
