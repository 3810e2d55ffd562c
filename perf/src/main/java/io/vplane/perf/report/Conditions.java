package io.vplane.perf.report;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The host's state at one moment: load average, the busiest processes, and busy pollers left running. */
public record Conditions(Instant at, double[] loadAverage, List<ProcessLoad> busiest, List<ProcessLoad> pollers)
{
    /** A process and the share of one CPU it used over the sample (100 = one CPU busy). */
    public record ProcessLoad(long pid, String command, double cpuPercent)
    {
        public String text()
        {
            return String.format(Locale.ROOT, "pid %d %.0f%% %s", pid, cpuPercent, command);
        }
    }

    public String loadText()
    {
        return String.format(Locale.ROOT, "%.2f %.2f %.2f", loadAverage[0], loadAverage[1], loadAverage[2]);
    }

    public String busiestText()
    {
        if (busiest.isEmpty())
        {
            return "none above 0%";
        }
        return String.join("; ", busiest.stream().map(ProcessLoad::text).toList());
    }
}
