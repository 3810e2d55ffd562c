package io.vplane.nic.vswitch;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.ListedDeviceProvider;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;

/** Opens the switch of the {@code vswitch} section, when enabled, as a net device with one queue. */
public final class VswitchDeviceProvider extends ListedDeviceProvider<VswitchConfig>
{
    public static final String KIND = "vswitch";

    private final VswitchRegistry switches;

    /**
     * @param switches where a switch this provider opens is found by name while it runs
     */
    public VswitchDeviceProvider(final VswitchRegistry switches)
    {
        super(KIND, "net", VswitchConfig::name);
        this.switches = switches;
    }

    /** The one switch of the section, when enabled. */
    @Override
    protected List<VswitchConfig> entries(final VplaneConfig config)
    {
        final VswitchConfig vswitch = config.section(VswitchConfig.class);
        return vswitch.enabled() ? List.of(vswitch) : List.of();
    }

    @Override
    protected Device open(final DeviceSpec spec, final VswitchConfig config, final DeviceContext context)
    {
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
