package io.vplane.engine.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.StatusView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** {@code vplane ctl device list|add|del}: devices of any kind, added and removed while the daemon runs. */
@Command(name = "device", mixinStandardHelpOptions = true,
    description = "List, add or remove devices of any kind while the daemon runs.",
    subcommands = {DeviceCommand.ListDevices.class, DeviceCommand.Add.class, DeviceCommand.Delete.class})
public final class DeviceCommand extends CommandGroup
{
    public static String table(final List<StatusView.DeviceView> devices)
    {
        final StringBuilder text = new StringBuilder();
        for (final StatusView.DeviceView device : devices)
        {
            text.append(String.format("%-16s %-10s %-6s %d queues%n", device.name(), device.kind(), device.type(), device.queues()));
        }
        return devices.isEmpty() ? "(no devices)\n" : text.toString();
    }

    /** Every running device, as {@code GET /devices} lists them. */
    public static List<StatusView.DeviceView> devices(final ApiCommand command, final ManagementClient client) throws JacksonException
    {
        return command.mapper.readValue(client.get("/devices"), new TypeReference<List<StatusView.DeviceView>>()
        {
        });
    }

    /** The text of an added device's answer. */
    private static String added(final ApiCommand command, final String body) throws JacksonException
    {
        return "added " + table(List.of(command.mapper.readValue(body, StatusView.DeviceView.class)));
    }

    /** {@code POST /devices}: adds a device of {@code kind}, validated like an entry of the config file. */
    public static String add(final ApiCommand command, final ManagementClient client, final String kind, final Object device)
        throws JacksonException
    {
        return command.post(client, "/devices", Map.of("kind", kind, "device", device), body -> added(command, body));
    }

    /** {@code DELETE /devices/NAME}. */
    public static String delete(final ApiCommand command, final ManagementClient client, final String name) throws JacksonException
    {
        return command.show(client.delete("/devices/" + URLEncoder.encode(name, StandardCharsets.UTF_8)),
            body -> "removed " + name + "\n");
    }

    /**
     * {@code DELETE /devices/NAME} when NAME is a device of {@code kind}: a kind's own {@code del}
     * never closes another kind's device. {@code what} names the kind in the error.
     */
    public static String delete(final ApiCommand command, final ManagementClient client, final String kind, final String what,
        final String name) throws JacksonException
    {
        if (devices(command, client).stream().noneMatch(device -> device.name().equals(name) && kind.equals(device.kind())))
        {
            throw new IllegalArgumentException("no " + what + " named '" + name + "'");
        }
        return delete(command, client, name);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every running device: name, kind, type, queues.")
    public static final class ListDevices extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/devices", body -> table(mapper.readValue(body, new TypeReference<List<StatusView.DeviceView>>()
            {
            })));
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Add a device: KIND as in the config's devices section, DEVICE the entry as JSON, "
            + "e.g. add loopback '{\"name\":\"lo1\",\"type\":\"blk\",\"queues\":4}'. Validated like the config file.")
    public static final class Add extends ApiCommand
    {
        @Parameters(index = "0", paramLabel = "KIND", description = "Device kind, e.g. loopback.")
        String kind;

        @Parameters(index = "1", paramLabel = "DEVICE", description = "The device entry as a JSON object.")
        String device;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return add(this, client, kind, mapper.readTree(device));
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Unbind and close a device.")
    public static final class Delete extends ApiCommand
    {
        @Mixin
        DeviceName device;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return delete(this, client, device.name());
        }
    }
}
