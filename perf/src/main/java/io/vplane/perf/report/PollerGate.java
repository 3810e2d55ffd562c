package io.vplane.perf.report;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** Refuses to start while a busy poller from an earlier run is left, unless forced, then warns loudly. */
final class PollerGate
{
    private PollerGate()
    {
    }

    /** The pollers found (empty when none); null when they are a reason to refuse and the refusal was printed. */
    static List<Conditions.ProcessLoad> check(final HostProbe probe, final boolean force, final PrintStream err)
    {
        final List<Conditions.ProcessLoad> pollers = probe.conditions(Duration.ofSeconds(1)).pollers();
        if (pollers.isEmpty())
        {
            return pollers;
        }
        err.println(force ? "WARNING: --force: measuring while these busy pollers run; the figures share the CPUs with them "
            + "(recorded in the report):" : "refusing to start: these busy pollers would take CPU time from the sides "
            + "(stop them, or pass --force to measure anyway, recorded in the report):");
        pollers.forEach(p -> err.println("  " + p.text()));
        return force ? pollers : null;
    }

    static String describe(final List<Conditions.ProcessLoad> pollers)
    {
        return String.join("; ", pollers.stream().map(Conditions.ProcessLoad::text).toList());
    }
}
