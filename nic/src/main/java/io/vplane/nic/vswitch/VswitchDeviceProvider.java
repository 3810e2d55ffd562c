package io.vplane.nic.vswitch;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;

/** Opens the switch of the {@code vswitch} section, when enabled, as a net device with one queue. */
public final class VswitchDeviceProvider implements DeviceProvider
{
    public static final String KIND = "vswitch";

    private final VswitchRegistry switches;

    /**
     * @param switches where a switch this provider opens is found by name while it runs
     */
    public VswitchDeviceProvider(final VswitchRegistry switches)
    {
        this.switches = switches;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    @Override
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final VswitchConfig vswitch = config.section(VswitchConfig.class);
        return vswitch.enabled() ? List.of(new DeviceSpec(KIND, vswitch.name(), "net", vswitch)) : List.of();
    }

    @Override
    public Device open(final DeviceSpec spec, final DeviceContext context)
    {
        final VswitchConfig config = (VswitchConfig)spec.settings();
        final VswitchStage stage = new VswitchStage(config, context.counters(), SystemNanoClock.INSTANCE);
        stage.table().replaceAll(entries(config.table()));
        return new VswitchDevice(spec, stage, switches);
    }

    public static List<TranslationEntry> entries(final List<VswitchEntryConfig> table)
    {
        final List<TranslationEntry> entries = new ArrayList<>(table.size());
        for (final VswitchEntryConfig entry : table)
        {
            entries.add(TranslationEntry.of(entry.ip(), entry.localMac(), entry.globalMac(), entry.port()));
        }
        return entries;
    }
}
