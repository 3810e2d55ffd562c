package io.vplane.nic.port;

import com.fasterxml.jackson.core.JacksonException;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.cli.CommandGroup;
import io.vplane.engine.cli.DeviceCommand;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.StatusView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;

/**
 * {@code vplane ctl port list|add|del}: vhost-user net ports, as sugar over the generic device API
 * ({@code /devices} with kind {@code vhostUser}); the daemon validates them like a
 * {@code devices.vhostUser} entry of the config file.
 */
@Command(name = "port", mixinStandardHelpOptions = true,
    description = "List, add or remove vhost-user net ports while the daemon runs.",
    subcommands = {PortCommand.ListPorts.class, PortCommand.Add.class, PortCommand.Delete.class})
public final class PortCommand extends CommandGroup
{
    private static final String KIND = VhostUserPortProvider.KIND;

    static List<StatusView.DeviceView> ports(final ApiCommand command, final ManagementClient client)
        throws JacksonException
    {
        return DeviceCommand.devices(command, client).stream().filter(device -> KIND.equals(device.kind())).toList();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every running vhost-user port: name, type, queues.")
    public static final class ListPorts extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            final List<StatusView.DeviceView> ports = ports(this, client);
            if (json)
            {
                return raw(mapper.writeValueAsString(ports));
            }
            return ports.isEmpty() ? "(no ports)\n" : DeviceCommand.table(ports);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Add a vhost-user port; options left out take the defaults of devices.vhostUser in vplane.yaml.")
    public static final class Add extends ApiCommand
    {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Port (device) name.")
        String name;

        @Option(names = "--socket", required = true, paramLabel = "PATH", description = "Unix socket path of the vhost-user channel.")
        String socket;

        @Option(names = "--mode", paramLabel = "MODE", description = "server (vplane listens) or client (vplane connects).")
        String mode;

        @Option(names = "--queue-pairs", paramLabel = "N", description = "virtio-net queue pairs offered.")
        Integer queuePairs;

        @Option(names = "--mac", paramLabel = "MAC", description = "MAC address in the device config space.")
        String mac;

        @Option(names = "--guest-tx", paramLabel = "ACTION", description = "Frames the guest sends: sink, loopback or switch.")
        String guestTx;

        @Option(names = "--guest-rx", paramLabel = "FEED", description = "What fills the guest's receive buffers: idle or source.")
        String guestRx;

        @Option(names = "--vswitch", paramLabel = "SWITCH", description = "With --guest-tx switch: the switch to join.")
        String vswitch;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            final Map<String, Object> device = fields("name", name, "socketPath", socket);
            putIfSet(device, "mode", mode, "queuePairs", queuePairs, "mac", mac, "guestTx", guestTx, "guestRx", guestRx,
                "vswitch", vswitch);
            return DeviceCommand.add(this, client, KIND, device);
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Close a vhost-user port (its frontend is disconnected).")
    public static final class Delete extends ApiCommand
    {
        @Option(names = "--name", paramLabel = "NAME", description = "Port name.")
        String name;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Port name (instead of --name).")
        String positionalName;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            final String port = null != name ? name : positionalName;
            if (null == port)
            {
                throw new ParameterException(spec.commandLine(), "missing port name: --name NAME");
            }
            return DeviceCommand.delete(this, client, KIND, "vhost-user port", port);
        }
    }
}
