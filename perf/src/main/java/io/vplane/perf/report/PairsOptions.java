package io.vplane.perf.report;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options perf/bin/pairs and perf/bin/report share: how many pairs, quick or full, past busy pollers, where to write. */
final class PairsOptions
{
    static final int DEFAULT_PAIRS = 5;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "" + DEFAULT_PAIRS,
        description = "Pairs per benchmark, at least 1 (default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--quick", description = "A few seconds per side (the scripts' --quick).")
    boolean quick;

    @Option(names = "--force", description = "Run beside busy pollers (warned about loudly and recorded).")
    boolean force;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results and logs go (default under perf/target, named with the time).")
    Path outDir;
}
