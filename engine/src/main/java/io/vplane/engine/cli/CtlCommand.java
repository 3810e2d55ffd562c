package io.vplane.engine.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.vplane.engine.management.AutotuneView;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementText;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.management.ReloadReport;
import io.vplane.engine.management.StatusView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * {@code vplane ctl}: asks a running daemon through its HTTP management API. The device kinds add
 * their own subcommands ({@link VplaneCli#commandLine()}).
 */
@Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    description = "Query and steer a running daemon through its management API.",
    subcommands = {CtlCommand.Status.class, CtlCommand.Config.class, CtlCommand.Reload.class, CtlCommand.Placement.class,
        DeviceCommand.class})
public final class CtlCommand extends CommandGroup
{
    public CtlCommand()
    {
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The daemon at a glance: devices and placement.")
    public static final class Status extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/status", body -> ManagementText.status(mapper.readValue(body, StatusView.class)));
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "The configuration the daemon runs with.")
    public static final class Config extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/config", body -> ManagementText.tree(mapper.readTree(body)));
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Re-read the config file; apply what may change live, report what needs a restart.")
    public static final class Reload extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return show(client.post("/reload", ""), body -> ManagementText.reload(mapper.readValue(body, ReloadReport.class)));
        }
    }

    @Command(name = "placement", mixinStandardHelpOptions = true,
        description = "Show which queues run on which worker; with --queues-per-worker, rebind a device type while traffic flows.",
        subcommands = {CtlCommand.PlacementShow.class, CtlCommand.PlacementGroup.class})
    public static final class Placement extends ApiCommand
    {
        @Option(names = "--type", paramLabel = "TYPE", description = "Device type: net, blk or vsock (default: all).")
        String type;

        @Option(names = "--queues-per-worker", paramLabel = "N", description = "Rebind every device of --type to N queues per group.")
        Integer queuesPerWorker;

        @Option(names = "--autotune", description = "Choose N for --type by measurement: try 1..--max-queues-per-worker under the current load, keep the best.")
        boolean autotune;

        @Option(names = "--max-queues-per-worker", paramLabel = "N", defaultValue = "4", description = "Largest N --autotune tries (default: ${DEFAULT-VALUE}).")
        int maxQueuesPerWorker;

        @Option(names = "--window-ms", paramLabel = "MS", defaultValue = "1000", description = "How long --autotune measures each N (default: ${DEFAULT-VALUE}).")
        long windowMs;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            if (autotune)
            {
                if (null == type || null != queuesPerWorker)
                {
                    throw new ParameterException(spec.commandLine(), "--autotune needs --type and no --queues-per-worker");
                }
                return post(client, "/placement/autotune",
                    fields("type", type, "maxQueuesPerWorker", maxQueuesPerWorker, "windowMs", windowMs),
                    body -> ManagementText.autotune(mapper.readValue(body, AutotuneView.class)));
            }
            if (null != queuesPerWorker)
            {
                if (null == type)
                {
                    throw new ParameterException(spec.commandLine(), "--queues-per-worker needs --type");
                }
                return post(client, "/placement", fields("type", type, "queuesPerWorker", queuesPerWorker), body -> ManagementText.placement(mapper.readValue(body, PlacementView.class)));
            }
            return placements(this, client, type, ManagementText::placement, ManagementText::placements);
        }
    }

    /** GET /placement for one type or all, each rendered by {@code one}, the list by {@code all}. */
    private static String placements(
        final ApiCommand command, final ManagementClient client, final String type,
        final Function<PlacementView, String> one, final Function<List<PlacementView>, String> all) throws JacksonException
    {
        if (null != type)
        {
            return command.get(client, "/placement?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8),
                body -> one.apply(command.mapper.readValue(body, PlacementView.class)));
        }
        return command.get(client, "/placement", body -> all.apply(command.mapper.readValue(body,
            new TypeReference<List<PlacementView>>()
            {
            })));
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "Per queue: worker, CPU, requests and load (time in polls that took work), like OVS pmd-rxq-show.")
    public static final class PlacementShow extends ApiCommand
    {
        @Option(names = "--type", paramLabel = "TYPE", description = "Device type: net, blk or vsock (default: all).")
        String type;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return placements(this, client, type, ManagementText::queueLoads, ManagementText::queueLoads);
        }
    }

    @Command(name = "group", mixinStandardHelpOptions = true,
        description = "Regroup a device type's queues by measured load (one group per worker, heaviest queue to the least-loaded "
            + "worker), if it improves the balance by more than the threshold; --dry-run shows the estimate only.")
    public static final class PlacementGroup extends ApiCommand
    {
        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Device type: net, blk or vsock.")
        String type;

        @Option(names = "--threshold-percent", paramLabel = "P", defaultValue = "25",
            description = "Apply only when the variance of the worker loads drops by more than P percent (default: ${DEFAULT-VALUE}).")
        double thresholdPercent;

        @Option(names = "--dry-run", description = "Show the per-worker load now and after; change nothing.")
        boolean dryRun;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return post(client, "/placement/group", fields("type", type, "thresholdPercent", thresholdPercent, "dryRun", dryRun),
                body -> ManagementText.grouping(mapper.readValue(body, GroupingView.class)));
        }
    }
}
