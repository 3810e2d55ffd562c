package io.vplane.vsock.device;

import com.fasterxml.jackson.core.JacksonException;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.cli.CommandGroup;
import io.vplane.engine.management.ManagementClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/**
 * {@code vplane ctl container scale|memory|storage|status}: container operations in a VM, through
 * the control channel ({@code /container}). A change returns once it is journaled, with its id;
 * {@code status} shows where each command stands.
 */
@Command(name = "container", mixinStandardHelpOptions = true,
    description = "Scale containers in a VM, resize their memory or storage, and follow the commands.",
    subcommands = {ContainerCommand.Scale.class, ContainerCommand.Memory.class, ContainerCommand.Storage.class,
        ContainerCommand.Status.class})
public final class ContainerCommand extends CommandGroup
{
    /** What every change takes: the VM and the containers' target. */
    abstract static class Change extends ApiCommand
    {
        @Parameters(index = "0", paramLabel = "VM", description = "The VM (control.vms name).")
        String vm;

        @Option(names = "--target", paramLabel = "NAME", description = "The containers (service) to change. Default: default.")
        String target = "default";

        String send(final ManagementClient client, final String route, final String key, final long value) throws JacksonException
        {
            return post(client, "/container/" + route, Map.of("vm", vm, "target", target, key, value), body ->
            {
                final ContainerManagement.CommandView command = mapper.readValue(body, ContainerManagement.CommandView.class);
                return "command " + command.id() + " (" + command.op() + " " + command.target() + " " + command.value() + " in " +
                    command.vm() + "): " + command.state() + "\n";
            });
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Run COUNT containers of the target in the VM.")
    public static final class Scale extends Change
    {
        @Option(names = "--count", required = true, paramLabel = "COUNT", description = "Containers wanted.")
        long count;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return send(client, "scale", "count", count);
        }
    }

    /** A size for the target's containers, in bytes, sent to {@code /container/ROUTE}. */
    abstract static class Resize extends Change
    {
        @Option(names = "--bytes", required = true, paramLabel = "BYTES", description = "The size in bytes.")
        long bytes;

        abstract String route();

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return send(client, route(), "bytes", bytes);
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, description = "Set the memory limit of the target's containers.")
    public static final class Memory extends Resize
    {
        @Override
        String route()
        {
            return "memory";
        }
    }

    @Command(name = "storage", mixinStandardHelpOptions = true, description = "Set the storage size of the target's containers.")
    public static final class Storage extends Resize
    {
        @Override
        String route()
        {
            return "storage";
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Each VM's link and every command with its state.")
    public static final class Status extends ApiCommand
    {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VM", description = "Only this VM.")
        String vm;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/container/status" + (null == vm ? "" : "?vm=" + vm), body ->
            {
                final ContainerManagement.StatusView status = mapper.readValue(body, ContainerManagement.StatusView.class);
                final StringBuilder out = new StringBuilder();
                for (final ContainerManagement.LinkView link : status.vms())
                {
                    out.append(String.format("VM %-12s %-12s %s%s%n", link.vm(), link.connected() ? "connected" : "disconnected",
                        link.transport(), link.lastError().isEmpty() ? "" : "  last error: " + link.lastError()));
                }
                out.append(String.format("%-6s %-12s %-8s %-16s %-14s %-13s %s%n", "ID", "VM", "OP", "TARGET", "VALUE", "STATE", "REASON"));
                for (final ContainerManagement.CommandView c : status.commands())
                {
                    out.append(String.format("%-6d %-12s %-8s %-16s %-14d %-13s %s%n", c.id(), c.vm(), c.op(), c.target(), c.value(),
                        c.state(), c.reason()));
                }
                return out.toString();
            });
        }
    }
}
