package io.vplane.nic.uplink;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;
import io.vplane.engine.linux.Tun;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Reads the {@code devices.tap} list: every uplink applies live (added, removed or reopened). */
public final class TapUplinkSection extends DeviceListSection<TapUplinksConfig, TapUplinkConfig>
{
    public static final String VSWITCH = "vswitch0";
    public static final int QUEUES = 1;
    public static final boolean ZERO_COPY = true;
    public static final boolean IO_URING = true;

    /** What the kernel takes as an interface name (dev_valid_name): no '/', ':', blanks, '.' or '..'. */
    private static final Pattern IF_NAME = Pattern.compile("[A-Za-z0-9_+=@#%^-][A-Za-z0-9_.+=@#%^-]*");

    public TapUplinkSection()
    {
        super(TapUplinkProvider.KIND, TapUplinksConfig.class, TapUplinksConfig::new, TapUplinksConfig::uplinks,
            TapUplinkConfig::name, TapUplinkSection::describe);
    }

    /** How an uplink appears in a change: every setting but its name. */
    public static String describe(final TapUplinkConfig uplink)
    {
        return "ifName=" + uplink.ifName() + " vswitch=" + uplink.vswitch() + " vmPort=" + uplink.vmPort() +
            " queues=" + uplink.queues() + " zeroCopy=" + uplink.zeroCopy() + " ioUring=" + uplink.ioUring();
    }

    /** The required {@code ifName} of an uplink, or null (reported) when missing or no interface name. */
    static String interfaceName(final SectionReader item)
    {
        final String ifName = item.requiredString("ifName");
        if (null != ifName && (ifName.getBytes(StandardCharsets.UTF_8).length > Tun.MAX_NAME_BYTES ||
            !IF_NAME.matcher(ifName).matches()))
        {
            item.reject("ifName", "'" + ifName + "' is no interface name: 1 to " + Tun.MAX_NAME_BYTES +
                " characters of letters, digits and _.+=@#%^-, not starting with '.'");
            return null;
        }
        return ifName;
    }

    @Override
    protected TapUplinkConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String ifName = interfaceName(item);
        boolean ok = null != name && null != ifName;
        final String vswitch = item.name("vswitch", VSWITCH, "switch");
        final String vmPort = item.requiredName("vmPort", "port");
        ok &= null != vmPort;
        final int queues = item.integer("queues", QUEUES, TapUplinkConfig.QUEUES);
        final boolean zeroCopy = item.bool("zeroCopy", ZERO_COPY);
        final boolean ioUring = item.bool("ioUring", IO_URING);
        item.finish();
        return ok ? new TapUplinkConfig(name, ifName, vswitch, vmPort, queues, zeroCopy, ioUring) : null;
    }
}
