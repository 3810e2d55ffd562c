package io.vplane.vsock.device;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.cli.CommandGroup;
import io.vplane.engine.cli.DeviceCommand;
import io.vplane.engine.cli.DeviceName;
import io.vplane.engine.management.ManagementClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/**
 * {@code vplane ctl vsock list|add|del}: vhost-user-vsock devices. {@code list} reads
 * {@code /vsock}; {@code add} and {@code del} go through the generic device API ({@code /devices}
 * with kind {@code vsock}), validated like a {@code devices.vsock} entry of the config file.
 */
@Command(name = "vsock", mixinStandardHelpOptions = true,
    description = "List, add or remove vhost-user-vsock devices while the daemon runs.",
    subcommands = {VsockCommand.ListDevices.class, VsockCommand.Add.class, VsockCommand.Delete.class})
public final class VsockCommand extends CommandGroup
{
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Every vsock device: vhost-user socket, hybrid socket, guest CID, frontend connected, streams open.")
    public static final class ListDevices extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/vsock/list", this::table);
        }

        private String table(final String body) throws JacksonException
        {
            final List<VsockManagement.DeviceView> devices = mapper.readValue(body, new TypeReference<>()
            {
            });
            if (devices.isEmpty())
            {
                return "(no vsock devices)\n";
            }
            final StringBuilder out = new StringBuilder(String.format("%-16s %-10s %-9s %-7s %s%n", "NAME", "CID", "FRONTEND", "STREAMS", "SOCKETS"));
            for (final VsockManagement.DeviceView device : devices)
            {
                out.append(String.format("%-16s %-10d %-9s %-7d %s (vhost-user), %s (hybrid)%n", device.name(), device.guestCid(),
                    device.connected() ? "connected" : "-", device.streams(), device.socketPath(), device.udsPath()));
            }
            return out.toString();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Add a vsock device; options left out take the defaults of devices.vsock in vplane.yaml.")
    public static final class Add extends ApiCommand
    {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Device name.")
        String name;

        @Option(names = "--socket", required = true, paramLabel = "PATH", description = "Unix socket of the vhost-user channel.")
        String socket;

        @Option(names = "--uds", required = true, paramLabel = "PATH", description = "Hybrid-vsock socket for host programs.")
        String uds;

        @Option(names = "--guest-cid", paramLabel = "CID", description = "The guest's CID, 3..4294967294.")
        Long guestCid;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            final Map<String, Object> device = fields("name", name, "socketPath", socket, "udsPath", uds);
            putIfSet(device, "guestCid", guestCid);
            return DeviceCommand.add(this, client, VsockDeviceProvider.KIND, device);
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Close a vsock device (its frontend and streams are disconnected).")
    public static final class Delete extends ApiCommand
    {
        @Mixin
        DeviceName device;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return DeviceCommand.delete(this, client, VsockDeviceProvider.KIND, "vsock device", device.name());
        }
    }
}
