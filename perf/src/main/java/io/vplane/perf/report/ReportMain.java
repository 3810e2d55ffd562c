package io.vplane.perf.report;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
public final class ReportMain
{
    private ReportMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        boolean quick = false;
        boolean force = false;
        int pairs = PairsMain.DEFAULT_PAIRS;
        Set<String> only = null;
        Path outDir = null;
        Path compare = null;
        Path against = null;
        Path list = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--force" -> force = true;
                case "--pairs" -> pairs = Integer.parseInt(PairsMain.value(args, ++i, "--pairs"));
                case "--only" -> only = new TreeSet<>(Arrays.asList(PairsMain.value(args, ++i, "--only").split(",")));
                case "--out" -> outDir = Path.of(PairsMain.value(args, ++i, "--out"));
                case "--compare" -> compare = Path.of(PairsMain.value(args, ++i, "--compare"));
                case "--against" -> against = Path.of(PairsMain.value(args, ++i, "--against"));
                case "--benchmarks" -> list = Path.of(PairsMain.value(args, ++i, "--benchmarks"));
                default ->
                {
                    err.println("usage: perf/bin/report [--quick] [--pairs N] [--only a,b] [--out DIR] [--compare OLD.json "
                        + "[--against NEW.json]] [--force] [--benchmarks FILE]\nunknown argument: " + args[i]);
                    return 2;
                }
            }
        }
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
            list != null ? list : tree.top().resolve("perf/benchmarks.tsv"), tree.bin(), quick));
        if (only != null)
        {
            final Set<String> wanted = only;
            final Set<String> unknown = new TreeSet<>(wanted);
            benchmarks.forEach(b -> unknown.remove(b.name()));
            if (!unknown.isEmpty())
            {
                err.println("--only names benchmarks that are not listed: " + unknown);
                return 2;
            }
            benchmarks.removeIf(b -> !wanted.contains(b.name()));
        }
        if (pairs < 1 || benchmarks.isEmpty())
        {
            err.println("nothing to run: --pairs must be at least 1 and the list must name a benchmark");
            return 2;
        }
        final HostProbe probe = new HostProbe();
        final List<Conditions.ProcessLoad> pollers = PollerGate.check(probe, force, err);
        if (pollers == null)
        {
            return 2;
        }
        final Instant started = Instant.now();
        final Path dir = outDir != null ? outDir : tree.outDir("report", started);
        Files.createDirectories(dir);
        final PairsEngine engine = new PairsEngine(probe, err, force);
        final List<BenchmarkRun> runs = new ArrayList<>();
        for (final Benchmark benchmark : benchmarks)
        {
            runs.add(engine.run(benchmark, pairs, quick, dir.resolve("logs/" + benchmark.name())));
        }
        final Report report = new Report(started, Instant.now(), tree.commit(), quick, pairs, probe.machine(), pollers, runs);
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
