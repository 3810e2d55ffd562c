package io.vplane.perf.report;

import java.time.Instant;
import java.util.List;

/** One run of the report (or of perf/bin/pairs): where, when, at which commit, and every benchmark's run. */
public record Report(
    Instant started, Instant finished, String gitCommit, boolean quick, int pairs, Machine machine,
    List<Conditions.ProcessLoad> forcedPastPollers, List<BenchmarkRun> runs)
{
}
