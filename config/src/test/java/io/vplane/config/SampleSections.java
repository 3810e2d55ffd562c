package io.vplane.config;

import java.util.ArrayList;
import java.util.List;

/** Device kinds' sections made up for the tests of the config module, which knows no real one. */
final class SampleSections
{
    /** Two device lists ({@code devices.sample}, {@code devices.other}) and a top-level section {@code extra}. */
    static final List<ConfigSection<?>> ALL = List.of(new Devices("sample"), new Devices("other"), new Extra());

    private SampleSections()
    {
    }

    record Device(String name, int size)
    {
    }

    record DeviceList(List<Device> devices)
    {
    }

    /**
     * @param port   needs a restart
     * @param limit  applies live
     */
    record ExtraConfig(int port, int limit)
    {
    }

    /** A list of named devices; every change is live. */
    private record Devices(String key) implements ConfigSection<DeviceList>
    {
        @Override
        public Place place()
        {
            return Place.DEVICES;
        }

        @Override
        public Class<DeviceList> type()
        {
            // both lists share the type, so VplaneConfig.section(type) finds the first; the tests read them by path
            return DeviceList.class;
        }

        @Override
        public DeviceList defaults()
        {
            return new DeviceList(List.of());
        }

        @Override
        public DeviceList bind(final SectionReader parent, final BindContext context)
        {
            final List<Device> devices = new ArrayList<>();
            for (final SectionReader item : parent.list(key))
            {
                final String name = item.requiredName("name", "device");
                final int size = item.integer("size", 1, new SettingRange(1, 8));
                item.finish();
                if (null != name && context.claimDeviceName(item, path(), name))
                {
                    devices.add(new Device(name, size));
                }
            }
            return new DeviceList(devices);
        }

        @Override
        public void diff(final DeviceList running, final DeviceList next, final ConfigDiff diff)
        {
            diff.named(path() + ".", running.devices(), next.devices(), Device::name, device -> "size=" + device.size());
        }
    }

    /** A top-level section with one setting that needs a restart and one that applies live. */
    private static final class Extra implements ConfigSection<ExtraConfig>
    {
        @Override
        public String key()
        {
            return "extra";
        }

        @Override
        public Place place()
        {
            return Place.ROOT;
        }

        @Override
        public Class<ExtraConfig> type()
        {
            return ExtraConfig.class;
        }

        @Override
        public ExtraConfig defaults()
        {
            return new ExtraConfig(80, 10);
        }

        @Override
        public ExtraConfig bind(final SectionReader parent, final BindContext context)
        {
            final SectionReader section = parent.section(key());
            final ExtraConfig config = new ExtraConfig(section.integer("port", 80, 1, 65_535), section.integer("limit", 10, 0, 100));
            section.finish();
            return config;
        }

        @Override
        public void diff(final ExtraConfig running, final ExtraConfig next, final ConfigDiff diff)
        {
            diff.compare("extra.port", running.port(), next.port(), ConfigDiff.RESTART);
            diff.compare("extra.limit", running.limit(), next.limit(), ConfigDiff.LIVE);
        }

        @Override
        public ExtraConfig live(final ExtraConfig running, final ExtraConfig next)
        {
            return new ExtraConfig(running.port(), next.limit());
        }
    }
}
