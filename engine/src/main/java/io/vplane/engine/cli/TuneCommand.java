package io.vplane.engine.cli;

import com.fasterxml.jackson.core.JacksonException;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementText;
import io.vplane.engine.management.TuneView;
import io.vplane.engine.tune.TuneSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vplane tune}: asks the running daemon to choose a device type's queues per worker by
 * measurement, shows its progress while the candidates are measured, then its table and choice.
 */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {"Choose a device type's queues per worker by measurement: each candidate N is bound in turn under "
        + "the same load, the type's workers' CPU time, throughput and service time are measured, and a criterion picks N.",
        "Without --apply the daemon ends on the N it had; --apply switches to the choice and writes it to the config file."})
public final class TuneCommand extends ApiCommand
{
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");
    private static final Pattern RATE = Pattern.compile("(\\d+)([km])?");
    private static final long POLL_MS = 250;
    private static final int BAR_WIDTH = 24;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Device type: net, blk or vsock.")
    String type;

    @Option(names = "--candidates", split = ",", paramLabel = "N[,N...]", defaultValue = "1,2,3,4",
        description = "Queues-per-worker values to try, in order (default: ${DEFAULT-VALUE}).")
    List<Integer> candidates;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
        description = "How long each candidate is measured, e.g. 10s, 500ms, 1m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--load", paramLabel = "LOAD", defaultValue = "builtin",
        description = "builtin: the same requests to every candidate, through the type's front end (a guest on a temporary "
            + "vhost-user port for net, reads into the disks for blk) or a loopback device; live: the traffic that runs now "
            + "(default: ${DEFAULT-VALUE}).")
    String load;

    @Option(names = "--criterion", paramLabel = "C", defaultValue = "throughput-per-cpu",
        description = "throughput-per-cpu: the most requests per CPU-second of the type's workers; utilisation: the highest "
            + "share of their CPU time spent in polls that took work (the design's) (default: ${DEFAULT-VALUE}).")
    String criterion;

    @Option(names = "--rate", paramLabel = "PER_S",
        description = "Requests per second the built-in load offers per worker of the type, e.g. 20000 or 20k (default: the "
            + "load's own: net 50k frames, blk 20k reads, loopback 200k requests). Not with --load live.")
    String rate;

    @Option(names = "--dry-run", description = "Measure and report only, with the load-based grouping estimate; change nothing.")
    boolean dryRun;

    @Option(names = "--apply", description = "Switch the daemon to the choice and write queuesPerWorker to its config file.")
    boolean apply;

    @Override
    protected String run(final ManagementClient client) throws JacksonException
    {
        if (dryRun && apply)
        {
            throw new ParameterException(spec.commandLine(), "--dry-run and --apply exclude each other");
        }
        final long durationMs = durationMs(duration);
        final Long ratePerWorker = null == rate ? null : ratePerWorker(rate);
        if (null != ratePerWorker && "live".equalsIgnoreCase(load.trim()))
        {
            throw new ParameterException(spec.commandLine(), "--rate sets the built-in load's rate; --load live measures the traffic there is");
        }
        final Map<String, Object> request = fields("type", type, "candidates", candidates, "durationMs", durationMs,
            "load", load, "criterion", criterion, "dryRun", dryRun, "apply", apply);
        putIfSet(request, "ratePerWorker", ratePerWorker);
        client.post("/tune", mapper.writeValueAsString(request));
        final Progress progress = json ? null : new Progress(spec.commandLine().getOut(), isTerminal());
        String body;
        TuneView view;
        while (true)
        {
            body = client.get("/tune");
            view = mapper.readValue(body, TuneView.class);
            if (!TuneView.RUNNING.equals(view.state()))
            {
                break;
            }
            if (null != progress)
            {
                progress.show(view);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        if (null != progress)
        {
            progress.finish();
        }
        final TuneView done = view;
        final String text = show(body, ignored -> ManagementText.tune(done));
        if (TuneView.FAILED.equals(view.state()))
        {
            throw new IllegalStateException(text.strip());
        }
        return text;
    }

    private long durationMs(final String text)
    {
        final Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches())
        {
            throw new ParameterException(spec.commandLine(), "--duration must be a number with ms, s or m, e.g. 10s: '" + text + "'");
        }
        final long value = Long.parseLong(matcher.group(1));
        return switch (null == matcher.group(2) ? "s" : matcher.group(2))
        {
            case "ms" -> value;
            case "m" -> TimeUnit.MINUTES.toMillis(value);
            default -> TimeUnit.SECONDS.toMillis(value);
        };
    }

    private long ratePerWorker(final String text)
    {
        final Matcher matcher = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
        final long value = matcher.matches() && matcher.group(1).length() <= 9 ?
            Long.parseLong(matcher.group(1)) * (null == matcher.group(2) ? 1 : "k".equals(matcher.group(2)) ? 1_000 : 1_000_000) : -1;
        if (value < 1 || value > TuneSettings.MAX_RATE_PER_WORKER)
        {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                "--rate must be requests per second per worker, 1 to %,d, as a number with an optional k or m, e.g. 20000 or 20k: '%s'",
                TuneSettings.MAX_RATE_PER_WORKER, text));
        }
        return value;
    }

    private static boolean isTerminal()
    {
        return null != System.console() && System.console().isTerminal();
    }

    /** A bar redrawn in place on a terminal; one plain line per candidate otherwise (logs, pipes, CI). */
    static final class Progress
    {
        private final PrintWriter out;
        private final boolean terminal;
        private int lastCandidate;
        private boolean drawn;

        Progress(final PrintWriter out, final boolean terminal)
        {
            this.out = out;
            this.terminal = terminal;
        }

        void show(final TuneView view)
        {
            final String line = ManagementText.tuneProgress(view);
            if (terminal)
            {
                final int count = view.candidates().size();
                final int filled = Math.min(BAR_WIDTH, BAR_WIDTH * (view.candidateIndex() - 1) / Math.max(1, count));
                out.print("\r[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + line + "\u001b[K");
                drawn = true;
            }
            else if (view.candidateIndex() != lastCandidate)
            {
                out.println(line);
            }
            lastCandidate = view.candidateIndex();
            out.flush();
        }

        void finish()
        {
            if (drawn)
            {
                out.print("\r\u001b[K");
                out.flush();
            }
        }
    }
}
