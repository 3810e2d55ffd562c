package io.vplane.engine.management;

import java.util.List;

/**
 * A {@code POST /tune} body: which type, which candidates, how long each, under which load, by
 * which criterion, whether to apply (or only dry-run), and the built-in load's rate per worker.
 * Fields left out take the defaults.
 */
public record TuneRequest(
    String type, List<Integer> candidates, Long durationMs, String load, String criterion, Boolean dryRun, Boolean apply,
    Long ratePerWorker)
{
}
