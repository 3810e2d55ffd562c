package io.vplane.engine.cli;

import io.vplane.engine.management.FakeApiServer;
import io.vplane.engine.management.FakeManagementApi;
import io.vplane.engine.management.ManagementJson;
import io.vplane.engine.management.ManagementText;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.management.StatusView;
import io.vplane.engine.daemon.RunDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CtlCommandTest
{
    @RegisterExtension
    final FakeApiServer server = new FakeApiServer();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private FakeManagementApi api;
    private String url;
    private Path dir;

    @BeforeEach
    void start()
    {
        api = server.api;
        url = server.url;
        dir = server.dir;
    }

    @Test
    void placementOfOneType()
    {
        assertThat(execute("placement", "--url", url, "--type", "blk")).isZero();
        assertThat(out.toString()).isEqualTo(ManagementText.placement(api.placement("blk")));
    }

    @Test
    void placementOfAllTypes()
    {
        assertThat(execute("placement", "--url", url)).isZero();
        assertThat(out.toString())
            .contains("net: queuesPerWorker=3")
            .contains("blk: queuesPerWorker=3")
            .contains("vsock: queuesPerWorker=3")
            .contains("  worker blk-0 (cpu 1): group blk.lo1.g0 [lo1/0 lo1/1 lo1/2]\n");
    }

    @Test
    void placementShowListsEveryQueueWithWorkerCpuAndLoad()
    {
        assertThat(execute("placement", "show", "--url", url, "--type", "blk")).isZero();
        assertThat(out.toString())
            .startsWith("blk: queuesPerWorker=3 grouping=count (load over the last 250 ms)\n")
            .containsPattern("queue +worker +cpu +group +requests +load\n")
            .containsPattern("lo1/0 +blk-0 +1 +blk.lo1.g0 +1200 +42.5%\n")
            .containsPattern("lo2/0 +blk-1 +- +blk.lo2.g0 +0 +retired\n");
    }

    @Test
    void placementGroupDryRunShowsTheLoadBeforeAndAfter()
    {
        assertThat(execute("placement", "group", "--url", url, "--type", "blk", "--dry-run")).isZero();
        assertThat(out.toString())
            .startsWith("blk: load-based grouping (dry run)\n")
            .containsPattern("blk-0 +80.0% +50.0% +lo1/0 lo1/2\n")
            .contains("improvement 100.0%, threshold 25.0%");
    }

    @Test
    void placementChange()
    {
        assertThat(execute("placement", "--url", url, "--type", "blk", "--queues-per-worker", "2")).isZero();
        assertThat(out.toString()).startsWith("blk: queuesPerWorker=2 batch=16 dedicated=false\n");
        assertThat(api.changedQueuesPerWorker).isEqualTo(2);
    }

    @Test
    void placementChangeNeedsAType()
    {
        assertThat(execute("placement", "--url", url, "--queues-per-worker", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--queues-per-worker needs --type");
    }

    @Test
    void reloadPrintsOneLinePerChange()
    {
        assertThat(execute("reload", "--url", url)).isZero();
        assertThat(out.toString()).contains("pools.blk.workers: 1 -> 2 (needs restart)\npools.blk.batch: 16 -> 32 (applied)\n");
    }

    @Test
    void statusAsTextOrJson() throws Exception
    {
        assertThat(execute("status", "--url", url)).isZero();
        assertThat(out.toString()).startsWith("vplane daemon pid 4242, up 01:02:03");

        out.getBuffer().setLength(0);
        assertThat(execute("status", "--url", url, "--json")).isZero();
        assertThat(ManagementJson.mapper().readValue(out.toString(), StatusView.class)).isEqualTo(api.status());
    }

    @Test
    void configAsTree()
    {
        assertThat(execute("config", "--url", url)).isZero();
        assertThat(out.toString()).contains("counters:\n  fileName: " + api.config().counters().fileName() + "\n");
    }

    @Test
    void serverErrorGoesToStderrWithExitOne()
    {
        assertThat(execute("placement", "--url", url, "--type", "disk")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("vplane ctl: no worker pool for device type 'disk'\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unreachableDaemonGoesToStderrWithExitOne()
    {
        server.stop();

        assertThat(execute("status", "--url", url)).isEqualTo(1);
        assertThat(err.toString()).contains("connection refused (is the daemon running?)");
    }

    @Test
    void socketIsFoundInTheRunDirectory() throws Exception
    {
        assertThat(execute("placement", "--run-dir", dir.toString(), "--type", "net", "--json")).isZero();
        assertThat(ManagementJson.mapper().readValue(out.toString(), PlacementView.class).type()).isEqualTo("net");
    }

    @Test
    void noRunningDaemonFound()
    {
        assertThat(execute("status", "--run-dir", dir.resolve("elsewhere").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no running vplane daemon found");
    }

    @Test
    void missingSubcommandIsAUsageError()
    {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).contains("missing subcommand");
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new CtlCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
