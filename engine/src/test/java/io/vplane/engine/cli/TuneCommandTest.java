package io.vplane.engine.cli;

import io.vplane.engine.management.FakeApiServer;
import io.vplane.engine.management.TuneView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TuneCommandTest
{
    @RegisterExtension
    final FakeApiServer server = new FakeApiServer();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldSendTheRequestAndPrintATableAndTheChoice()
    {
        assertThat(execute("tune", "--url", server.url, "--type", "net", "--candidates", "1,2", "--duration", "2s", "--dry-run")).isZero();

        assertThat(server.api.tuneRequest.candidates()).containsExactly(1, 2);
        assertThat(server.api.tuneRequest.durationMs()).isEqualTo(2000);
        assertThat(server.api.tuneRequest.dryRun()).isTrue();
        assertThat(server.api.tuneRequest.criterion()).isEqualTo("throughput-per-cpu");
        assertThat(server.api.tuneRequest.ratePerWorker()).as("left out: the load's own rate").isNull();
        assertThat(out.toString())
            .contains("net: queues per worker by measurement, load builtin, criterion utilisation")
            .contains("  load: synthetic loopback device tune-net\n")
            .containsPattern("N +requests/s +worker CPU +utilisation +requests/CPU-s +ns/request +p50 us +p99 us")
            .containsPattern("1 +10,000 +0.500 s +40.0% +40,000 +1,500 +12 +48 +net-0 25/20%")
            .containsPattern("2 +10,000 +0.400 s +50.0% +50,000 +1,400 +9.5 +40 +net-0 20/18% +<- chosen")
            .contains("choice: N=2: highest utilisation");
    }

    @Test
    void shouldRefuseDryRunWithApplyAndABadDuration()
    {
        assertThat(execute("tune", "--url", server.url, "--type", "net", "--dry-run", "--apply")).isEqualTo(2);
        assertThat(err.toString()).contains("--dry-run and --apply exclude each other");
        assertThat(execute("tune", "--url", server.url, "--type", "net", "--duration", "ten")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration must be a number with ms, s or m");
    }

    @Test
    void shouldSendTheBuiltinLoadsRatePerWorker()
    {
        assertThat(execute("tune", "--url", server.url, "--type", "blk", "--rate", "5000", "--dry-run")).isZero();
        assertThat(server.api.tuneRequest.ratePerWorker()).isEqualTo(5_000);
        assertThat(execute("tune", "--url", server.url, "--type", "blk", "--rate", "20k", "--dry-run")).isZero();
        assertThat(server.api.tuneRequest.ratePerWorker()).isEqualTo(20_000);
        assertThat(execute("tune", "--url", server.url, "--type", "net", "--rate", "2M", "--dry-run")).isZero();
        assertThat(server.api.tuneRequest.ratePerWorker()).isEqualTo(2_000_000);
    }

    @Test
    void shouldRefuseARateThatIsNotOneOrThatMeetsALiveLoad()
    {
        for (final String bad : List.of("0", "-5", "fast", "20 k", "11m", "99999999999999999999"))
        {
            err.getBuffer().setLength(0);
            assertThat(execute("tune", "--url", server.url, "--type", "net", "--rate", bad)).as(bad).isEqualTo(2);
            assertThat(err.toString()).as(bad).contains("--rate must be requests per second per worker, 1 to 10,000,000")
                .contains("'" + bad + "'");
        }
        assertThat(execute("tune", "--url", server.url, "--type", "net", "--rate", "1000", "--load", "live")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate sets the built-in load's rate; --load live measures the traffic there is");
        assertThat(server.api.tuneRequest).as("nothing was sent").isNull();
    }

    @Test
    void shouldDrawABarOnATerminalAndPlainLinesOtherwise()
    {
        final TuneView first = running(1, 4_000);
        final TuneView again = running(1, 3_000);
        final TuneView second = running(2, 2_000);

        final StringWriter plain = new StringWriter();
        final TuneCommand.Progress lines = new TuneCommand.Progress(new PrintWriter(plain), false);
        lines.show(first);
        lines.show(again);
        lines.show(second);
        lines.finish();
        assertThat(plain.toString()).isEqualTo(String.format("net: candidate 1 of 2 (N=1), 4 s left%nnet: candidate 2 of 2 (N=2), 2 s left%n"));

        final StringWriter terminal = new StringWriter();
        final TuneCommand.Progress bar = new TuneCommand.Progress(new PrintWriter(terminal), true);
        bar.show(second);
        assertThat(terminal.toString()).startsWith("\r[############------------] net: candidate 2 of 2 (N=2), 2 s left");
    }

    private static TuneView running(final int candidate, final long remainingMs)
    {
        return new TuneView(TuneView.RUNNING, "net", "utilisation", "builtin", null, List.of(1, 2), 1000, false, false, candidate,
            remainingMs, List.of(), 0, 0, 0, null, 0, null, null, null, null);
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = VplaneCli.commandLine(io.vplane.engine.device.DeviceKinds.load());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
