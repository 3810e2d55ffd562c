package io.vplane.engine.management;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The management API's answers as text for people, as {@code vplane ctl} prints them. */
public final class ManagementText
{
    private ManagementText()
    {
    }

    /**
     * <pre>
     * blk: queuesPerWorker=3 batch=16 dedicated=false
     *   worker blk-0 (cpu 1): group blk.lo1.g0 [lo1/0 lo1/1 lo1/2]
     * </pre>
     */
    public static String placement(final PlacementView view)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(view.type()).append(": queuesPerWorker=").append(view.queuesPerWorker())
            .append(" batch=").append(view.batch())
            .append(" dedicated=").append(view.dedicated()).append('\n');
        if (null == view.workers() || view.workers().isEmpty())
        {
            sb.append("  (no workers)\n");
            return ioThreads(sb, view).toString();
        }
        for (final PlacementView.WorkerView worker : view.workers())
        {
            sb.append("  worker ").append(worker.name())
                .append(worker.pinned() ? " (cpu " + worker.cpu() + ")" : " (unpinned)").append(": ");
            if (null == worker.groups() || worker.groups().isEmpty())
            {
                sb.append("(no queues)");
            }
            else
            {
                for (int i = 0; i < worker.groups().size(); i++)
                {
                    final PlacementView.GroupView group = worker.groups().get(i);
                    sb.append(i > 0 ? ", " : "").append("group ").append(group.name())
                        .append(" [").append(String.join(" ", group.queues())).append(']');
                }
            }
            sb.append('\n');
        }
        return ioThreads(sb, view).toString();
    }

    /**
     * Per queue, as OVS {@code pmd-rxq-show}:
     * <pre>
     * net: queuesPerWorker=2 grouping=count (load over the last 250 ms)
     *   queue    worker  cpu  group      requests  load
     *   lo0/0    net-0   1    net.lo0.g0    12034  12.5%
     * </pre>
     */
    public static String queueLoads(final PlacementView view)
    {
        final StringBuilder sb = new StringBuilder();
        final List<PlacementView.QueueView> queues = null == view.queues() ? List.of() : view.queues();
        sb.append(view.type()).append(": queuesPerWorker=").append(view.queuesPerWorker())
            .append(" grouping=").append(view.grouping());
        if (queues.isEmpty())
        {
            return sb.append(" (no queues)\n").toString();
        }
        sb.append(" (load over the last ").append(queues.getFirst().windowMs()).append(" ms)\n");
        final List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"queue", "worker", "cpu", "group", "requests", "load"});
        for (final PlacementView.QueueView queue : queues)
        {
            rows.add(new String[] {queue.queue(), queue.worker(), queue.cpu() < 0 ? "-" : Integer.toString(queue.cpu()),
                queue.group(), Long.toString(queue.requests()),
                queue.retired() ? "retired" : String.format(Locale.ROOT, "%.1f%%", queue.loadPercent())});
        }
        return table(sb, rows, "  ").toString();
    }

    public static String queueLoads(final List<PlacementView> views)
    {
        final StringBuilder sb = new StringBuilder();
        views.forEach(view -> sb.append(queueLoads(view)));
        return sb.toString();
    }

    /** The estimate of a load-based grouping: per worker, load now and after, and the verdict. */
    public static String grouping(final GroupingView view)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(view.type()).append(": load-based grouping").append(view.dryRun() ? " (dry run)" : "").append('\n');
        final List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"worker", "load now", "load after", "queues after"});
        for (final GroupingView.WorkerLoad worker : view.workers())
        {
            rows.add(new String[] {worker.worker(), percent(worker.loadBeforePercent()), percent(worker.loadAfterPercent()),
                worker.queuesAfter().isEmpty() ? "-" : String.join(" ", worker.queuesAfter())});
        }
        table(sb, rows, "  ");
        sb.append(String.format(Locale.ROOT, "  variance of the worker loads: %.1f -> %.1f (improvement %.1f%%, threshold %.1f%%)%n",
            view.varianceBefore(), view.varianceAfter(), view.improvementPercent(), view.thresholdPercent()));
        return sb.append("  ").append(view.reason()).append('\n').toString();
    }

    /** One line of a tuning run's progress: {@code net: candidate 2 of 4 (N=2), 23 s left}. */
    public static String tuneProgress(final TuneView view)
    {
        final int index = Math.max(1, Math.min(view.candidateIndex(), view.candidates().size()));
        return String.format(Locale.ROOT, "%s: candidate %d of %d (N=%d), %d s left", view.type(), index,
            view.candidates().size(), view.candidates().get(index - 1), (view.remainingMs() + 999) / 1000);
    }

    /** A tuning run's outcome: a row per candidate, the choice and why, what was applied. */
    /** A latency cell: "-" when the type's queues carry no offer time (live traffic of most devices). */
    private static String latency(final TuneView.Trial trial, final double micros)
    {
        return 0 == trial.latencySamples() ? "-" : String.format(Locale.ROOT, micros < 10 ? "%,.1f" : "%,.0f", micros);
    }

    public static String tune(final TuneView view)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(view.type()).append(": queues per worker by measurement, load ").append(view.load())
            .append(", criterion ").append(view.criterion())
            .append(String.format(Locale.ROOT, ", %.1f s per candidate", view.durationMs() / 1000.0)).append('\n');
        if (TuneView.RUNNING.equals(view.state()))
        {
            return sb.append("  running: ").append(tuneProgress(view)).append('\n').toString();
        }
        if (null != view.loadDetail())
        {
            sb.append("  load: ").append(view.loadDetail()).append('\n');
        }
        final List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"N", "requests/s", "worker CPU", "utilisation", "requests/CPU-s", "ns/request", "p50 us", "p99 us", "per worker cpu/busy", ""});
        for (final TuneView.Trial trial : null == view.trials() ? List.<TuneView.Trial>of() : view.trials())
        {
            final StringBuilder workers = new StringBuilder();
            for (final TuneView.WorkerSample worker : trial.workers())
            {
                workers.append(workers.isEmpty() ? "" : " ").append(worker.worker()).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f/%.0f%%", worker.cpuPercent(), worker.busyPercent()));
            }
            rows.add(new String[] {Integer.toString(trial.queuesPerWorker()),
                String.format(Locale.ROOT, "%,.0f", trial.requestsPerSec()),
                String.format(Locale.ROOT, "%.3f s", trial.cpuSeconds()),
                percent(trial.utilisationPercent()),
                String.format(Locale.ROOT, "%,.0f", trial.requestsPerCpuSecond()),
                String.format(Locale.ROOT, "%,.0f", trial.serviceNsPerRequest()),
                latency(trial, trial.latencyP50Us()),
                latency(trial, trial.latencyP99Us()),
                workers.toString(),
                trial.queuesPerWorker() == view.chosenQueuesPerWorker() ? "<- chosen" : ""});
        }
        table(sb, rows, "  ");
        if (TuneView.FAILED.equals(view.state()))
        {
            return sb.append("failed: ").append(view.error()).append('\n').toString();
        }
        sb.append("choice: ").append(view.reason()).append('\n');
        if (view.chosenQueuesPerWorker() > 0 && view.byUtilisation() != view.byThroughputPerCpu())
        {
            sb.append("criteria differ: utilisation picks N=").append(view.byUtilisation())
                .append(", throughput-per-cpu picks N=").append(view.byThroughputPerCpu()).append('\n');
        }
        if (view.apply())
        {
            sb.append("applied: ").append(view.type()).append(" runs with queuesPerWorker=").append(view.queuesPerWorkerAfter())
                .append('\n');
            if (null != view.configNote())
            {
                sb.append("config: ").append(view.configNote()).append('\n');
            }
        }
        else
        {
            sb.append(view.dryRun() ? "dry run" : "not applied").append(": ").append(view.type())
                .append(" keeps queuesPerWorker=").append(view.queuesPerWorkerAfter())
                .append(view.chosenQueuesPerWorker() > 0 ? " (--apply switches to N=" + view.chosenQueuesPerWorker() +
                    " and writes it to the config file)" : "").append('\n');
        }
        if (null != view.grouping())
        {
            sb.append(grouping(view.grouping()));
        }
        return sb.toString();
    }

    private static String percent(final double value)
    {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }

    /** Rows as left-aligned columns two spaces apart, each line indented. */
    private static StringBuilder table(final StringBuilder sb, final List<String[]> rows, final String indent)
    {
        final int columns = rows.getFirst().length;
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (final String[] row : rows)
        {
            final StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < columns; c++)
            {
                line.append(c > 0 ? "  " : "").append(c == columns - 1 ? row[c] : pad(row[c], widths[c]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb;
    }

    private static StringBuilder ioThreads(final StringBuilder sb, final PlacementView view)
    {
        if (null != view.io())
        {
            for (final PlacementView.IoThreadView thread : view.io())
            {
                sb.append("  io thread ").append(thread.name())
                    .append(thread.pinned() ? " (cpu " + thread.cpu() + ")" : " (unpinned)").append('\n');
            }
        }
        return sb;
    }

    public static String autotune(final AutotuneView view)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(view.type()).append(": queuesPerWorker chosen by measurement\n");
        for (final AutotuneView.Trial trial : view.trials())
        {
            sb.append(String.format("  N=%-3d %,14.1f requests/s%s%n", trial.queuesPerWorker(), trial.requestsPerSec(),
                trial.queuesPerWorker() == view.chosenQueuesPerWorker() ? "   <- kept" : ""));
        }
        return sb.append(placement(view.placement())).toString();
    }

    public static String placements(final List<PlacementView> views)
    {
        final StringBuilder sb = new StringBuilder();
        for (final PlacementView view : views)
        {
            sb.append(placement(view));
        }
        return sb.toString();
    }

    /** One line per change: {@code pools.blk.workers: 1 -> 2 (needs restart)}. */
    public static String reload(final ReloadReport report)
    {
        final StringBuilder sb = new StringBuilder();
        final int changes = null == report.changes() ? 0 : report.changes().size();
        sb.append("reloaded ").append(report.source()).append(": ")
            .append(0 == changes ? "no changes" : changes + (1 == changes ? " change" : " changes")).append('\n');
        if (0 != changes)
        {
            for (final ReloadReport.Change change : report.changes())
            {
                sb.append(change.path()).append(": ").append(change.oldValue()).append(" -> ").append(change.newValue())
                    .append(" (").append(outcome(change.outcome())).append(")\n");
            }
        }
        return sb.toString();
    }

    public static String status(final StatusView status)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("vplane daemon pid ").append(status.pid())
            .append(", up ").append(duration(status.uptimeMs()))
            .append(" (since ").append(Instant.ofEpochMilli(status.startTimeMs())).append(")\n");
        sb.append("run dir: ").append(status.runDir()).append('\n');
        sb.append("config:  ").append(status.configSource()).append('\n');

        final List<StatusView.DeviceView> devices = null == status.devices() ? List.of() : status.devices();
        sb.append("devices:").append(devices.isEmpty() ? " none" : "").append('\n');
        int nameWidth = 0;
        int kindWidth = 0;
        int typeWidth = 0;
        for (final StatusView.DeviceView device : devices)
        {
            nameWidth = Math.max(nameWidth, device.name().length());
            kindWidth = Math.max(kindWidth, device.kind().length());
            typeWidth = Math.max(typeWidth, device.type().length());
        }
        for (final StatusView.DeviceView device : devices)
        {
            sb.append("  ").append(pad(device.name(), nameWidth))
                .append("  ").append(pad(device.kind(), kindWidth))
                .append("  ").append(pad(device.type(), typeWidth))
                .append("  ").append(device.queues()).append(1 == device.queues() ? " queue" : " queues").append('\n');
        }

        if (null != status.pools() && !status.pools().isEmpty())
        {
            sb.append("placement:\n").append(placements(status.pools()));
        }
        return sb.toString();
    }

    /** A JSON document as indented {@code key: value} lines, like YAML. */
    public static String tree(final JsonNode node)
    {
        final StringBuilder sb = new StringBuilder();
        tree(node, 0, sb);
        return sb.toString();
    }

    private static void tree(final JsonNode node, final int depth, final StringBuilder sb)
    {
        if (node.isObject())
        {
            for (final Map.Entry<String, JsonNode> field : node.properties())
            {
                sb.repeat("  ", depth).append(field.getKey()).append(':');
                value(field.getValue(), depth, sb);
            }
        }
        else if (node.isArray())
        {
            for (final JsonNode element : node)
            {
                sb.repeat("  ", depth).append('-');
                value(element, depth, sb);
            }
        }
        else
        {
            sb.repeat("  ", depth).append(scalar(node)).append('\n');
        }
    }

    private static void value(final JsonNode value, final int depth, final StringBuilder sb)
    {
        if (isInline(value))
        {
            sb.append(' ').append(inline(value)).append('\n');
        }
        else
        {
            sb.append('\n');
            tree(value, depth + 1, sb);
        }
    }

    // Scalars, empty containers and lists of scalars fit on their key's line.
    private static boolean isInline(final JsonNode node)
    {
        if (node.isValueNode() || node.isNull() || node.isEmpty())
        {
            return true;
        }
        if (node.isArray())
        {
            for (final JsonNode element : node)
            {
                if (!element.isValueNode())
                {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static String inline(final JsonNode node)
    {
        if (node.isArray())
        {
            final StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < node.size(); i++)
            {
                sb.append(i > 0 ? ", " : "").append(scalar(node.get(i)));
            }
            return sb.append(']').toString();
        }
        if (node.isObject())
        {
            return "{}";
        }
        return scalar(node);
    }

    private static String scalar(final JsonNode node)
    {
        return node.isNull() ? "null" : node.asText();
    }

    private static String outcome(final ReloadReport.Outcome outcome)
    {
        return null == outcome ? "unknown" : outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String pad(final String text, final int width)
    {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    static String duration(final long ms)
    {
        final long seconds = Math.max(0, ms) / 1000;
        final long days = seconds / 86_400;
        final String clock = String.format(Locale.ROOT, "%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        return days > 0 ? days + "d " + clock : clock;
    }
}
