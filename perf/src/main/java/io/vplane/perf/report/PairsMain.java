package io.vplane.perf.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code perf/bin/pairs NAME [--pairs N] [--quick] [--force] [--out DIR] [script args]}: runs the
 * sides of perf/bin/NAME interleaved and prints per figure each side's median and the ratio's
 * median with its min–max and verdict; writes pairs.json (the report's format) and the sides' logs
 * into DIR (default perf/target/pairs-NAME-TIMESTAMP).
 */
@Command(name = "perf/bin/pairs", mixinStandardHelpOptions = true,
    description = "Run the sides of perf/bin/NAME interleaved (subject, then each anchor, per pair) and print per figure "
        + "each side's median and the ratio's median with its min-max and verdict. Options it does not know go to the script.")
public final class PairsMain implements Callable<Integer>
{
    static final int DEFAULT_PAIRS = 5;

    @Parameters(index = "0", paramLabel = "NAME", description = "The benchmark: perf/bin/NAME.")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the script, in their order.")
    List<String> scriptArgs = new ArrayList<>();

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "" + DEFAULT_PAIRS, description = "Pairs to run, at least 1 (default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--quick", description = "A few seconds per side (the scripts' --quick).")
    boolean quick;

    @Option(names = "--force", description = "Run beside busy pollers (warned about loudly and recorded).")
    boolean force;

    @Option(names = "--out", paramLabel = "DIR", description = "Where pairs.json and the logs go (default perf/target/pairs-NAME-TIMESTAMP).")
    Path outDir;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final PairsMain command = new PairsMain();
        command.out = out;
        command.err = err;
        return CommandLines.execute(command, args, out, err);
    }

    @Override
    public Integer call() throws Exception
    {
        if (pairs < 1)
        {
            err.println("--pairs must be at least 1");
            return 2;
        }
        final SourceTree tree = SourceTree.current();
        final Path script = tree.script(name);
        if (!Files.isExecutable(script))
        {
            err.println("pairs: no benchmark script " + script);
            return 2;
        }
        final HostProbe probe = new HostProbe();
        final List<Conditions.ProcessLoad> pollers = PollerGate.check(probe, force, err);
        if (pollers == null)
        {
            return 2;
        }
        final Instant started = Instant.now();
        final Benchmark benchmark = new Benchmark(script.getFileName().toString(), script, List.copyOf(scriptArgs));
        final Path dir = outDir != null ? outDir : tree.outDir("pairs-" + benchmark.name(), started);
        Files.createDirectories(dir);
        final BenchmarkRun run = new PairsEngine(probe, err, force).run(benchmark, pairs, quick, dir.resolve("logs"));
        final Report report = new Report(started, Instant.now(), tree.commit(), quick, pairs, probe.machine(), pollers, List.of(run));
        ReportJson.write(report, dir.resolve("pairs.json"));
        out.print(RunSummary.text(report, run));
        out.println("raw values, conditions and logs: " + dir);
        return run.failed() ? 1 : 0;
    }
}
