package io.vplane.dist.beacon;

import io.vplane.config.BindContext;
import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigSection;
import io.vplane.config.SectionReader;
import io.vplane.config.SettingRange;

import java.util.ArrayList;
import java.util.List;

/** {@code devices.beacon: [{name, start}]}; every change applies live. */
final class BeaconSection implements ConfigSection<BeaconConfig>
{
    static final SettingRange START = new SettingRange(0, 1_000);

    @Override
    public String key()
    {
        return BeaconKind.KIND;
    }

    @Override
    public Place place()
    {
        return Place.DEVICES;
    }

    @Override
    public Class<BeaconConfig> type()
    {
        return BeaconConfig.class;
    }

    @Override
    public BeaconConfig defaults()
    {
        return new BeaconConfig(List.of());
    }

    @Override
    public BeaconConfig bind(final SectionReader parent, final BindContext context)
    {
        final List<BeaconConfig.Beacon> beacons = new ArrayList<>();
        for (final SectionReader item : parent.list(key()))
        {
            final String name = item.requiredName("name", "beacon");
            final long start = item.longValue("start", 0, START);
            item.finish();
            if (null != name && context.claimDeviceName(item, path(), name))
            {
                beacons.add(new BeaconConfig.Beacon(name, start));
            }
        }
        return new BeaconConfig(beacons);
    }

    @Override
    public void diff(final BeaconConfig running, final BeaconConfig next, final ConfigDiff diff)
    {
        diff.named(path() + ".", running.beacons(), next.beacons(), BeaconConfig.Beacon::name, beacon -> "start=" + beacon.start());
    }
}
