package io.vplane.nic;

import io.vplane.config.ConfigSection;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.stat.StatSection;
import io.vplane.nic.port.GuestRxLenders;
import io.vplane.nic.port.PortCommand;
import io.vplane.nic.port.VhostQueueStats;
import io.vplane.nic.uplink.UplinkStats;
import io.vplane.nic.port.VhostUserPortProvider;
import io.vplane.nic.port.VhostUserSection;
import io.vplane.nic.uplink.AfXdpUplinkProvider;
import io.vplane.nic.uplink.AfXdpUplinkSection;
import io.vplane.nic.uplink.TapUplinkProvider;
import io.vplane.nic.uplink.TapUplinkSection;
import io.vplane.nic.uplink.VxlanUplinkProvider;
import io.vplane.nic.uplink.VxlanUplinkSection;
import io.vplane.nic.vswitch.VswitchCommand;
import io.vplane.nic.vswitch.VswitchDeviceProvider;
import io.vplane.nic.vswitch.VswitchManagement;
import io.vplane.nic.vswitch.VswitchRegistry;
import io.vplane.nic.vswitch.VswitchSection;

import java.util.List;
import java.util.stream.Stream;

/**
 * The net device kind: vhost-user ports ({@code devices.vhostUser}), the vSwitch
 * ({@code vswitch}) and TAP, VXLAN and AF_XDP uplinks ({@code devices.tap}, {@code devices.vxlan}, {@code devices.afXdp}), with {@code ctl port}, {@code ctl vswitch} and the {@code /vswitch} routes. It
 * owns the registry of running switches that its ports join and its routes act on.
 */
public final class NetDeviceKind implements DeviceKind
{
    private final VswitchRegistry switches = new VswitchRegistry();
    private final GuestRxLenders lenders = new GuestRxLenders();

    @Override
    public String name()
    {
        return "net";
    }

    /** The switches running now, by name. */
    public VswitchRegistry switches()
    {
        return switches;
    }

    @Override
    public List<ConfigSection<?>> configSections()
    {
        return List.of(new VhostUserSection(), new VswitchSection(), new TapUplinkSection(),
            new VxlanUplinkSection(), new AfXdpUplinkSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new VswitchDeviceProvider(switches), new VhostUserPortProvider(switches, lenders),
            new TapUplinkProvider(switches, lenders), new VxlanUplinkProvider(switches, lenders),
            new AfXdpUplinkProvider(switches, lenders));
    }

    @Override
    public List<ManagementExtension> managementExtensions()
    {
        return List.of(new VswitchManagement(switches));
    }

    @Override
    public List<Object> ctlCommands()
    {
        return List.of(new PortCommand(), new VswitchCommand());
    }

    @Override
    public List<StatSection> statSections()
    {
        return Stream.concat(Stream.of(VhostQueueStats.section()), UplinkStats.sections().stream()).toList();
    }
}
