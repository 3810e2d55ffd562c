package io.vplane.blockstore.management;

import io.vplane.engine.cli.VplaneCli;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.management.ManagementJson;
import io.vplane.engine.management.ManagementListener;
import io.vplane.engine.management.ManagementServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DiskCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private ManagementServer server;
    private String url;

    @BeforeEach
    void start(@TempDir final Path dir)
    {
        // no daemon behind the API: the /disk routes fail, as they would against a broken daemon
        server = new ManagementServer(new ManagementListener.UnixSocket(dir.resolve("management.sock"), ""), null,
            Counters.inMemory(4).reader());
        url = server.start();
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void diskIsACtlSubcommandOfTheInstalledBlockKind()
    {
        assertThat(VplaneCli.commandLine().getSubcommands().get("ctl").getSubcommands()).containsKey("disk");
    }

    @Test
    void diskCreateNeedsANameAndASize()
    {
        assertThat(execute("disk", "create", "--url", url, "--name", "d1")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--size=SIZE'");
    }

    @Test
    void theDisksNameIsARequiredOptionOfEveryCommandOnOneDisk()
    {
        for (final String command : new String[] {"show", "resize", "delete", "qos", "upgrade"})
        {
            assertThat(execute("disk", command, "--url", url)).as(command).isEqualTo(2);
            assertThat(err.toString()).as(command).contains("Missing required option").contains("'--name=NAME'");
            err.getBuffer().setLength(0);
        }
        assertThat(execute("disk", "show", "--url", url, "--name", "d1")).isEqualTo(1);
        assertThat(execute("disk", "qos", "--help")).isZero();
        assertThat(out.toString()).contains("--name=NAME").contains("Disk name.");
    }

    @Test
    void diskGroupAloneIsAUsageErrorNamingItsSubcommands()
    {
        assertThat(execute("disk")).isEqualTo(2);
        assertThat(err.toString()).contains("missing subcommand: list, show, create, resize, delete, qos, upgrade, convert\n");
    }

    @Test
    void showPrintsAFieldALineWithTheBackendIndented() throws Exception
    {
        final String text = DiskCommand.details(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            "{\"name\":\"vm8\",\"sizeBytes\":1024,\"backend\":{\"type\":\"rbd\",\"state\":\"connected\","
                + "\"features\":[\"layering\",\"object-map\"],\"errors\":{\"ETIMEDOUT\":2}}}"));

        assertThat(text).isEqualTo("""
            name:              vm8
            sizeBytes:         1024
            backend:
              type:              rbd
              state:             connected
              features:          layering,object-map
              errors:
                ETIMEDOUT:         2
            """);
    }

    @Test
    void diskCommandsShowTheApiErrorAndExitOne()
    {
        assertThat(execute("disk", "list", "--url", url)).isEqualTo(1);
        assertThat(err.toString()).startsWith("vplane ctl: ");
    }

    @Test
    void diskTableShowsSizesConnectionsAndImages() throws Exception
    {
        final String table = DiskCommand.table(ManagementJson.mapper().readTree("""
            [{"name":"d1","sizeBytes":10737418240,"image":"/tmp/vplane/d1.img","tenant":"acme","queues":2,
              "readOnly":false,"connections":3},
             {"name":"p","sizeBytes":1536,"image":"nbd://10.0.0.1/x","tenant":"acme","queues":1,"readOnly":true,"connections":0}]
            """));

        assertThat(table.lines().toList()).hasSize(3);
        assertThat(table).containsPattern("d1 +10737418240 \\(10 GiB\\) +acme +2 no +3 /tmp/vplane/d1.img")
            .containsPattern("p +1536 \\(1.5 KiB\\) +acme +1 yes +0 nbd://10.0.0.1/x");
        assertThat(DiskCommand.table(ManagementJson.mapper().readTree("[]"))).isEqualTo("(no disks)\n");
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
