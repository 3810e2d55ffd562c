package io.vplane.perf.report;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code perf/bin/pairs NAME [--pairs N] [--quick] [--force] [--out DIR] [script args]}: runs the
 * sides of perf/bin/NAME interleaved and prints per figure each side's median and the ratio's
 * median with its min–max and verdict; writes pairs.json (the report's format) and the sides' logs
 * into DIR (default perf/target/pairs-NAME-TIMESTAMP).
 */
public final class PairsMain
{
    static final int DEFAULT_PAIRS = 5;

    private PairsMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        String name = null;
        int pairs = DEFAULT_PAIRS;
        boolean quick = false;
        boolean force = false;
        Path outDir = null;
        final List<String> scriptArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--pairs" -> pairs = Integer.parseInt(value(args, ++i, "--pairs"));
                case "--quick" -> quick = true;
                case "--force" -> force = true;
                case "--out" -> outDir = Path.of(value(args, ++i, "--out"));
                default ->
                {
                    if (name == null)
                    {
                        name = args[i];
                    }
                    else
                    {
                        scriptArgs.add(args[i]);
                    }
                }
            }
        }
        if (name == null || pairs < 1)
        {
            err.println("usage: perf/bin/pairs NAME [--pairs N>=1] [--quick] [--force] [--out DIR] [script args]");
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

    static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
