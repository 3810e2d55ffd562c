package io.vplane.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * report.json: every figure with its per-pair raw values, medians, ratios, spreads and verdict, the
 * conditions and the git commit; and the reading back of its figures for --compare.
 */
public final class ReportJson
{
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson()
    {
    }

    public static void write(final Report report, final Path file) throws IOException
    {
        JSON.writeValue(file.toFile(), tree(report));
    }

    static ObjectNode tree(final Report report)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("started", report.started().toString());
        root.put("finished", report.finished().toString());
        root.put("gitCommit", report.gitCommit());
        root.put("mode", report.quick() ? "quick" : "full");
        root.put("pairs", report.pairs());
        root.put("noiseFraction", Spread.NOISE_FRACTION);
        final ObjectNode machine = root.putObject("machine");
        machine.put("cpuModel", report.machine().cpuModel());
        machine.put("logicalCpus", report.machine().logicalCpus());
        report.machine().smtSiblings().forEach(machine.putArray("smtSiblings")::add);
        machine.put("kernel", report.machine().kernel());
        processes(root.putArray("forcedPastPollers"), report.forcedPastPollers());
        final ArrayNode benchmarks = root.putArray("benchmarks");
        report.runs().forEach(run -> benchmark(benchmarks.addObject(), run));
        return root;
    }

    private static void benchmark(final ObjectNode node, final BenchmarkRun run)
    {
        node.put("name", run.name());
        run.args().forEach(node.putArray("args")::add);
        node.put("status", run.failed() ? "failed" : "ok");
        if (run.failed())
        {
            node.put("failure", run.failure());
            node.put("logTail", run.logTail());
        }
        node.put("seconds", Math.round(run.seconds() * 10) / 10.0);
        node.put("pairsCompleted", run.pairs().size());
        final ArrayNode sides = node.putArray("sides");
        run.sides().forEach(side -> sides.addObject().put("name", side.name()).put("role", side.role().word()).put("description", side.description()));
        final ObjectNode conditions = node.putObject("conditions");
        conditions(conditions.putObject("before"), run.before());
        conditions(conditions.putObject("after"), run.after());
        final ArrayNode figures = node.putArray("figures");
        for (final PairedFigure figure : run.figures())
        {
            final ObjectNode f = figures.addObject();
            f.put("case", figure.caseName());
            f.put("metric", figure.metric());
            f.put("unit", figure.unit());
            f.put("better", figure.better().word());
            f.put("subject", run.subject().name());
            f.put("anchor", figure.anchor());
            values(f.putObject("subjectValues"), figure.subjectValues(), figure.subject());
            values(f.putObject("anchorValues"), figure.anchorValues(), figure.anchorSpread());
            values(f.putObject("ratio"), figure.ratios(), figure.ratio());
            f.put("verdict", figure.verdict().text());
        }
    }

    private static void values(final ObjectNode node, final List<Double> perPair, final Spread spread)
    {
        perPair.forEach(node.putArray("perPair")::add);
        node.put("median", spread.median());
        node.put("min", spread.min());
        node.put("max", spread.max());
    }

    private static void conditions(final ObjectNode node, final Conditions conditions)
    {
        node.put("at", conditions.at().toString());
        final ArrayNode load = node.putArray("loadAverage");
        for (final double l : conditions.loadAverage())
        {
            load.add(l);
        }
        processes(node.putArray("busiest"), conditions.busiest());
        processes(node.putArray("pollers"), conditions.pollers());
    }

    private static void processes(final ArrayNode array, final List<Conditions.ProcessLoad> processes)
    {
        processes.forEach(p -> array.addObject().put("pid", p.pid()).put("command", p.command()).put("cpuPercent", Math.round(p.cpuPercent() * 10) / 10.0));
    }

    /** A figure of a report.json as --compare needs it. */
    public record StoredFigure(String benchmark, String caseName, String metric, String anchor, Better better, Spread ratio)
    {
        String id()
        {
            return benchmark + " | " + caseName + " | " + metric + " | vs " + anchor;
        }
    }

    public static List<StoredFigure> readFigures(final Path file) throws IOException
    {
        final JsonNode root = JSON.readTree(file.toFile());
        if (root == null || root.path("format").asInt() != FORMAT)
        {
            throw new IOException(file + " is not a report.json of format " + FORMAT);
        }
        final List<StoredFigure> figures = new ArrayList<>();
        for (final JsonNode benchmark : root.path("benchmarks"))
        {
            for (final JsonNode f : benchmark.path("figures"))
            {
                final JsonNode ratio = f.path("ratio");
                figures.add(new StoredFigure(benchmark.path("name").asText(), f.path("case").asText(), f.path("metric").asText(),
                    f.path("anchor").asText(), Better.parse(f.path("better").asText()),
                    new Spread(ratio.path("median").asDouble(), ratio.path("min").asDouble(), ratio.path("max").asDouble())));
            }
        }
        return figures;
    }
}
