package io.vplane.nic.uplink;

import io.vplane.config.BindContext;
import io.vplane.config.DeviceListSection;
import io.vplane.config.SectionReader;

/** Reads the {@code devices.afXdp} list: every uplink applies live (added, removed or reopened). */
public final class AfXdpUplinkSection extends DeviceListSection<AfXdpUplinksConfig, AfXdpUplinkConfig>
{
    public static final int QUEUE_ID = 0;
    public static final AfXdpUplinkConfig.Mode MODE = AfXdpUplinkConfig.Mode.AUTO;
    public static final AfXdpUplinkConfig.Attach ATTACH = AfXdpUplinkConfig.Attach.AUTO;
    public static final int RING_SIZE = 2048;
    public static final int FRAME_SIZE = 2048;
    public static final boolean GUEST_BUFFERS = true;

    public AfXdpUplinkSection()
    {
        super(AfXdpUplinkProvider.KIND, AfXdpUplinksConfig.class, AfXdpUplinksConfig::new, AfXdpUplinksConfig::uplinks,
            AfXdpUplinkConfig::name, AfXdpUplinkSection::describe);
    }

    /** How an uplink appears in a change: every setting but its name. */
    public static String describe(final AfXdpUplinkConfig uplink)
    {
        return "ifName=" + uplink.ifName() + " queueId=" + uplink.queueId() + " vswitch=" + uplink.vswitch() +
            " mode=" + uplink.mode().label() + " attach=" + uplink.attach().label() + " rxRingSize=" + uplink.rxRingSize() +
            " txRingSize=" + uplink.txRingSize() + " frameSize=" + uplink.frameSize() + " vmPort=" + uplink.vmPort() +
            " guestBuffers=" + uplink.guestBuffers() + " mtu=" + uplink.mtu();
    }

    @Override
    protected AfXdpUplinkConfig device(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "device");
        final String ifName = TapUplinkSection.interfaceName(item);
        boolean ok = null != name && null != ifName;
        final int queueId = item.integer("queueId", QUEUE_ID, AfXdpUplinkConfig.QUEUE_ID);
        final String vswitch = item.name("vswitch", TapUplinkSection.VSWITCH, "switch");
        final AfXdpUplinkConfig.Mode mode = item.enumValue("mode", MODE, AfXdpUplinkConfig.Mode.values(),
            AfXdpUplinkConfig.Mode::label, "AF_XDP mode");
        final AfXdpUplinkConfig.Attach attach = item.enumValue("attach", ATTACH, AfXdpUplinkConfig.Attach.values(),
            AfXdpUplinkConfig.Attach::label, "XDP attach mode");
        if (mode == AfXdpUplinkConfig.Mode.ZEROCOPY && attach == AfXdpUplinkConfig.Attach.GENERIC)
        {
            item.reject("mode", "mode zerocopy needs the driver's XDP hook: use attach native or auto, not generic");
            ok = false;
        }
        final int rxRingSize = item.powerOfTwo("rxRingSize", RING_SIZE, AfXdpUplinkConfig.RING_SIZE);
        final int txRingSize = item.powerOfTwo("txRingSize", RING_SIZE, AfXdpUplinkConfig.RING_SIZE);
        final int frameSize = item.powerOfTwo("frameSize", FRAME_SIZE, AfXdpUplinkConfig.FRAME_SIZE);
        final String vmPort = item.optionalName("vmPort", "port");
        final boolean guestBuffers = item.bool("guestBuffers", GUEST_BUFFERS);
        final int mtu = item.integer("mtu", AfXdpUplinkConfig.DEFAULT_MTU, AfXdpUplinkConfig.MTU);
        final String problem = AfXdpUplinkConfig.mtuProblem(mtu, frameSize);
        if (null != problem)
        {
            item.reject("mtu", problem);
            ok = false;
        }
        item.finish();
        return ok ? new AfXdpUplinkConfig(name, ifName, queueId, vswitch, mode, attach, rxRingSize, txRingSize, frameSize,
            vmPort, guestBuffers, mtu) : null;
    }
}
