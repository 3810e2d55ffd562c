package io.vplane.perf.report;

import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A perf command that runs benchmarks in interleaved pairs (perf/bin/pairs, perf/bin/report): the
 * options they share, what they do before the first pair and the report they write at the end.
 */
abstract class PairsCommand extends CommandLines
{
    @Mixin
    PairsOptions options = new PairsOptions();

    /** One run under way: the machine, the pollers found beside it, when it started, where it writes. */
    record Session(HostProbe probe, List<Conditions.ProcessLoad> pollers, Instant started, Path dir, PairsEngine engine)
    {
    }

    /**
     * Refuses to run beside busy pollers unless forced (null, the reason printed), then makes the
     * output directory: {@code --out}, else one under perf/target named {@code name} and the time.
     */
    final Session start(final SourceTree tree, final String name) throws IOException
    {
        final HostProbe probe = new HostProbe();
        final List<Conditions.ProcessLoad> pollers = PollerGate.check(probe, options.force, err);
        if (pollers == null)
        {
            return null;
        }
        final Instant started = Instant.now();
        final Path dir = options.outDir != null ? options.outDir : tree.outDir(name, started);
        Files.createDirectories(dir);
        return new Session(probe, pollers, started, dir, new PairsEngine(probe, err, options.force));
    }

    /** The report of {@code runs}, ended now. */
    final Report report(final SourceTree tree, final Session session, final List<BenchmarkRun> runs)
    {
        return new Report(session.started(), Instant.now(), tree.commit(), options.quick, options.pairs, session.probe().machine(),
            session.pollers(), runs);
    }
}
