package io.vplane.perf.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code perf/bin/pairs NAME [--pairs N] [--quick] [--force] [--out DIR] [script args]}: runs the
 * sides of perf/bin/NAME interleaved and prints per figure each side's median and the ratio's
 * median with its min–max and verdict; writes pairs.json (the report's format) and the sides' logs
 * into DIR (default perf/target/pairs-NAME-TIMESTAMP).
 */
@Command(name = "perf/bin/pairs", mixinStandardHelpOptions = true,
    description = "Run the sides of perf/bin/NAME interleaved (subject, then each anchor, per pair) and print per figure "
        + "each side's median and the ratio's median with its min-max and verdict. Options it does not know go to the script.")
public final class PairsMain extends PairsCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The benchmark: perf/bin/NAME.")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the script, in their order.")
    List<String> scriptArgs = new ArrayList<>();

    public static void main(final String[] args)
    {
        exit(new PairsMain(), args);
    }

    @Override
    public Integer call() throws Exception
    {
        if (options.pairs < 1)
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
        final Benchmark benchmark = new Benchmark(script.getFileName().toString(), script, List.copyOf(scriptArgs));
        final Session session = start(tree, "pairs-" + benchmark.name());
        if (session == null)
        {
            return 2;
        }
        final BenchmarkRun run = session.engine().run(benchmark, options.pairs, options.quick, session.dir().resolve("logs"));
        final Report report = report(tree, session, List.of(run));
        ReportJson.write(report, session.dir().resolve("pairs.json"));
        out.print(RunSummary.text(report, run));
        out.println("raw values, conditions and logs: " + session.dir());
        return run.failed() ? 1 : 0;
    }
}
