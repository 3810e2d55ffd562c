package io.vplane.perf.report;

import java.util.Locale;

/** The console summary of one benchmark's run: sides, the figure table, conditions, or the failure. */
final class RunSummary
{
    private RunSummary()
    {
    }

    static String text(final Report report, final BenchmarkRun run)
    {
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%n%s: %d of %d pairs, sides %s%n", run.name(), run.pairs().size(), report.pairs(),
            String.join(", ", run.sides().stream().map(s -> s.name() + " (" + s.role().word() + ")").toList())));
        if (run.failed())
        {
            text.append("FAILED: ").append(run.failure()).append('\n').append(run.logTail());
        }
        else
        {
            text.append(new FigureTable(run).text());
        }
        final Machine m = report.machine();
        text.append(String.format(Locale.ROOT, "machine: %s, %d logical CPUs, SMT siblings: %s%n", m.cpuModel(), m.logicalCpus(), m.siblingsText()));
        text.append("before: load ").append(run.before().loadText()).append("; busiest others: ").append(run.before().busiestText()).append('\n');
        text.append("after:  load ").append(run.after().loadText()).append("; busiest others: ").append(run.after().busiestText()).append('\n');
        if (!run.after().pollers().isEmpty())
        {
            text.append("WARNING: busy pollers still running after the run: ").append(PollerGate.describe(run.after().pollers())).append('\n');
        }
        if (!report.forcedPastPollers().isEmpty())
        {
            text.append("WARNING: measured with --force while busy pollers ran: ").append(PollerGate.describe(report.forcedPastPollers())).append('\n');
        }
        return text.toString();
    }
}
