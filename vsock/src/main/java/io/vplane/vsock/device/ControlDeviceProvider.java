package io.vplane.vsock.device;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.confine.DefaultDirectories;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.vsock.config.ControlConfig;
import io.vplane.vsock.config.ControlVmConfig;
import io.vplane.vsock.config.VsockDeviceConfig;
import io.vplane.vsock.config.VsockDevicesConfig;
import io.vplane.vsock.control.ControlTransport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the control channel when the {@code control} section names VMs: one device of type
 * {@code vsock} with no queue (its links run on threads of their own, never on a worker), whose
 * life is the daemon's. Each VM's transport is resolved here from its interface information.
 */
public final class ControlDeviceProvider implements DeviceProvider
{
    public static final String KIND = "control";
    public static final String NAME = "control-channel";

    private final ControlRegistry registry;

    public ControlDeviceProvider(final ControlRegistry registry)
    {
        this.registry = registry;
    }

    /** What the control device needs: the journal path and each VM's resolved transport and secret file. */
    public record Settings(Path journal, Map<String, ResolvedVm> vms, Duration answerTimeout)
    {
    }

    /** One VM with its transport resolved. */
    public record ResolvedVm(String transport, Path udsPath, String address, int port, long cid, Path path, Path secretFile)
    {
        ControlTransport open()
        {
            return switch (transport)
            {
                case "vsock-user" -> ControlTransport.vsockUser(udsPath, port);
                case "vsock" -> ControlTransport.vsock(cid, port);
                case "tcp" -> ControlTransport.tcp(address, port);
                default -> ControlTransport.unix(path);
            };
        }
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final ControlConfig control = config.section(ControlConfig.class);
        if (control.vms().isEmpty())
        {
            return List.of();
        }
        final Path stateDir = Path.of(DefaultDirectories.conclude(config.daemon()).stateDir());
        final ConfinedDirectory sockets = ConfinedDirectory.sockets(config);
        final Map<String, VsockDeviceConfig> devices = new LinkedHashMap<>();
        config.section(VsockDevicesConfig.class).devices().forEach(device -> devices.put(device.name(), device));
        final Map<String, ResolvedVm> vms = new LinkedHashMap<>();
        for (final ControlVmConfig vm : control.vms())
        {
            final VsockDeviceConfig device = devices.get(vm.device());
            vms.put(vm.name(), new ResolvedVm(vm.transport().toString(),
                null == device ? null : sockets.resolve(device.udsPath()), vm.address(), vm.port(), vm.cid(),
                vm.path().isEmpty() ? null : Path.of(vm.path()), stateDir.resolve(vm.secretFile())));
        }
        final Path journal = stateDir.resolve(control.journalFile().isEmpty() ? "control.journal" : control.journalFile());
        return List.of(new DeviceSpec(KIND, NAME, VsockDeviceProvider.TYPE,
            new Settings(journal, Map.copyOf(vms), Duration.ofMillis(control.answerTimeoutMs()))));
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        return new ControlDevice(spec, (Settings)spec.settings(), context, registry);
    }
}
