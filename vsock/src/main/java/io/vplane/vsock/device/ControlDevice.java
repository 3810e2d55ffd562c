package io.vplane.vsock.device;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.control.ControlService;
import io.vplane.vsock.journal.ChronicleRecordLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control channel as a device of the daemon: opened at start, closed at shutdown. It has no
 * queue: the commands travel on its links' own threads, so they never burden a data-plane worker.
 * Opening reads each VM's secret and the command journal, and re-sends what a previous run left
 * without a result.
 */
final class ControlDevice implements Device
{
    private final DeviceSpec spec;
    private final ControlDeviceProvider.Settings settings;
    private final ControlRegistry registry;
    private ControlService service;

    ControlDevice(final DeviceSpec spec, final ControlDeviceProvider.Settings settings, final DeviceContext context,
        final ControlRegistry registry)
    {
        this.spec = spec;
        this.settings = settings;
        this.registry = registry;
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public List<? extends DeviceQueue> queues()
    {
        return List.of();
    }

    @Override
    public synchronized void start()
    {
        try
        {
            final Map<String, ControlService.Vm> vms = new TreeMap<>();
            for (final Map.Entry<String, ControlDeviceProvider.ResolvedVm> vm : settings.vms().entrySet())
            {
                vms.put(vm.getKey(), new ControlService.Vm(vm.getValue().open(),
                    io.vplane.vsock.control.AgentMain.readSecret(vm.getValue().secretFile())));
            }
            Files.createDirectories(settings.journal().toAbsolutePath().getParent());
            service = new ControlService(new CommandJournal(settings.journal(), ChronicleRecordLog::open), vms, settings.answerTimeout());
            registry.opened(service);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("control channel: " + ex.getMessage(), ex);
        }
    }

    /** The running service, or null before start. */
    synchronized ControlService service()
    {
        return service;
    }

    @Override
    public void quiesce()
    {
    }

    @Override
    public synchronized void close()
    {
        if (null != service)
        {
            registry.closed(service);
            try
            {
                service.close();
            }
            catch (final IOException ignore)
            {
                // the journal is durable record by record; nothing is lost here
            }
        }
    }
}
