package io.vplane.perf.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code perf/bin/report [--quick] [--pairs N] [--only a,b] [--out DIR] [--compare OLD.json] [--force]
 * [--benchmarks FILE]}: runs every benchmark of perf/benchmarks.tsv through the pairs and writes
 * report.md, one PNG chart per benchmark and metric, and report.json into DIR (default
 * perf/target/report-TIMESTAMP); a benchmark that fails is reported as failed and the others run.
 * {@code --compare OLD.json --against NEW.json} compares two reports without running anything.
 */
@Command(name = "perf/bin/report", mixinStandardHelpOptions = true,
    description = "Run every benchmark of perf/benchmarks.tsv through the interleaved pairs and write report.md, "
        + "PNG charts and report.json; --compare OLD.json [--against NEW.json] prints the change per figure.")
public final class ReportMain extends PairsCommand
{



    @Option(names = "--only", paramLabel = "NAME", split = ",", description = "Only these benchmarks of the list.")
    Set<String> only;


    @Option(names = "--compare", paramLabel = "OLD.json", description = "A report to compare this one with.")
    Path compare;

    @Option(names = "--against", paramLabel = "NEW.json", description = "With --compare: compare these two reports, run nothing.")
    Path against;

    @Option(names = "--benchmarks", paramLabel = "FILE", description = "The list to run (default perf/benchmarks.tsv).")
    Path list;

    public static void main(final String[] args)
    {
        exit(new ReportMain(), args);
    }

    @Override
    public Integer call() throws Exception
    {
        if (against != null)
        {
            if (compare == null)
            {
                err.println("--against NEW.json goes with --compare OLD.json");
                return 2;
            }
            out.print(CompareReport.text(CompareReport.compare(ReportJson.readFigures(compare), ReportJson.readFigures(against))));
            return 0;
        }
        final SourceTree tree = SourceTree.current();
        final List<Benchmark> benchmarks = new ArrayList<>(Benchmark.readList(
            list != null ? list : tree.top().resolve("perf/benchmarks.tsv"), tree.bin(), options.quick));
        if (only != null)
        {
            final Set<String> wanted = new TreeSet<>(only);
            final Set<String> unknown = new TreeSet<>(wanted);
            benchmarks.forEach(b -> unknown.remove(b.name()));
            if (!unknown.isEmpty())
            {
                err.println("--only names benchmarks that are not listed: " + unknown);
                return 2;
            }
            benchmarks.removeIf(b -> !wanted.contains(b.name()));
        }
        if (options.pairs < 1 || benchmarks.isEmpty())
        {
            err.println("nothing to run: --pairs must be at least 1 and the list must name a benchmark");
            return 2;
        }
        final Session session = start(tree, "report");
        if (session == null)
        {
            return 2;
        }
        final Path dir = session.dir();
        final List<BenchmarkRun> runs = new ArrayList<>();
        for (final Benchmark benchmark : benchmarks)
        {
            runs.add(session.engine().run(benchmark, options.pairs, options.quick, dir.resolve("logs/" + benchmark.name())));
        }
        final Report report = report(tree, session, runs);
        final Map<String, List<String>> charts = new LinkedHashMap<>();
        for (final BenchmarkRun run : runs)
        {
            if (!run.failed())
            {
                charts.put(run.name(), ReportCharts.write(run, dir));
            }
            out.print(RunSummary.text(report, run));
        }
        final Path json = dir.resolve("report.json");
        ReportJson.write(report, json);
        Files.writeString(dir.resolve("report.md"), ReportMarkdown.render(report, charts));
        out.println();
        out.println("report: " + dir.resolve("report.md") + " (figures: " + json + ")");
        if (compare != null)
        {
            out.print(CompareReport.text(CompareReport.compare(ReportJson.readFigures(compare), ReportJson.readFigures(json))));
        }
        final long failed = runs.stream().filter(BenchmarkRun::failed).count();
        if (failed > 0)
        {
            out.println(failed + " of " + runs.size() + " benchmarks failed; see report.md");
        }
        return failed > 0 ? 1 : 0;
    }
}
