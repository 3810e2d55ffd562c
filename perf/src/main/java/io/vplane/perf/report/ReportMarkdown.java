package io.vplane.perf.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.md: the machine and conditions, then per benchmark its sides, its table, its charts, or why it failed. */
public final class ReportMarkdown
{
    private ReportMarkdown()
    {
    }

    public static String render(final Report report, final Map<String, List<String>> chartsByBenchmark)
    {
        final StringBuilder md = new StringBuilder("# vplane side-by-side performance report\n\n");
        md.append(String.format(Locale.ROOT, "Started %s, finished %s; git commit `%s`; %s mode, %d pairs per benchmark, "
                + "sides interleaved (subject, then each anchor, per pair).%n%n",
            report.started(), report.finished(), report.gitCommit(), report.quick() ? "quick" : "full", report.pairs()));
        md.append("How to read: each figure is the median over the pairs; the ratio is vplane/anchor per pair, its median with the "
            + "lowest and highest pair. **too noisy to conclude**: the lowest or highest ratio is more than ")
            .append(Math.round(Spread.NOISE_FRACTION * 100)).append("% from the median. **vplane better** / **anchor better**: "
                + "every pair says so; **no clear difference**: the pairs straddle 1.\n\n");
        final Machine m = report.machine();
        md.append("## Machine\n\n");
        md.append("- CPU: ").append(m.cpuModel()).append(", ").append(m.logicalCpus()).append(" logical CPUs\n");
        md.append("- SMT siblings: ").append(m.siblingsText()).append('\n');
        md.append("- kernel: ").append(m.kernel()).append('\n');
        if (!report.forcedPastPollers().isEmpty())
        {
            md.append("- **WARNING: started with --force while busy pollers ran; the figures share the CPUs with them:** ")
                .append(String.join("; ", report.forcedPastPollers().stream().map(Conditions.ProcessLoad::text).toList())).append('\n');
        }
        md.append("\n## Conditions\n\n| benchmark | load before | load after | busiest others before | busiest others after | pollers |\n|---|---|---|---|---|---|\n");
        for (final BenchmarkRun run : report.runs())
        {
            md.append("| ").append(run.name()).append(" | ").append(run.before().loadText()).append(" | ").append(run.after().loadText())
                .append(" | ").append(cell(run.before().busiestText())).append(" | ").append(cell(run.after().busiestText()))
                .append(" | ").append(cell(pollers(run))).append(" |\n");
        }
        for (final BenchmarkRun run : report.runs())
        {
            md.append("\n## ").append(run.name()).append("\n\n");
            md.append(String.format(Locale.ROOT, "Arguments: %s; %d of %d pairs; %.0f s.%n%n",
                run.args().isEmpty() ? "the script's defaults" : "`" + String.join(" ", run.args()) + "`", run.pairs().size(), report.pairs(), run.seconds()));
            run.sides().forEach(side -> md.append("- ").append(side.name()).append(" (").append(side.role().word()).append("): ")
                .append(side.description()).append('\n'));
            if (!run.sides().isEmpty())
            {
                md.append('\n');
            }
            if (run.failed())
            {
                md.append("**FAILED**: ").append(run.failure()).append("\n\n```\n").append(run.logTail()).append("```\n");
                continue;
            }
            final FigureTable table = new FigureTable(run);
            md.append(table.isEmpty() ? "No figure was printed by both vplane and an anchor.\n" : table.markdown());
            for (final String chart : chartsByBenchmark.getOrDefault(run.name(), List.of()))
            {
                md.append("\n![").append(chart).append("](").append(chart).append(")\n");
            }
        }
        return md.toString();
    }

    private static String pollers(final BenchmarkRun run)
    {
        if (run.before().pollers().isEmpty() && run.after().pollers().isEmpty())
        {
            return "none";
        }
        return "before: " + String.join("; ", run.before().pollers().stream().map(Conditions.ProcessLoad::text).toList())
            + " after: " + String.join("; ", run.after().pollers().stream().map(Conditions.ProcessLoad::text).toList());
    }

    private static String cell(final String text)
    {
        return text.replace("|", "\\|");
    }
}
