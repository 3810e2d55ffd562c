package io.vplane.blockstore;

import io.vplane.blockstore.config.NbdSection;
import io.vplane.blockstore.device.DiskStats;
import io.vplane.blockstore.device.NbdDeviceProvider;
import io.vplane.blockstore.management.DiskCommand;
import io.vplane.blockstore.management.DiskManagement;
import io.vplane.config.ConfigSection;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.stat.StatSection;

import java.util.List;

/** The blk device kind: NBD disks and tenants ({@code nbd}), with {@code ctl disk} and the {@code /disk} routes. */
public final class BlockDeviceKind implements DeviceKind
{
    @Override
    public String name()
    {
        return "blk";
    }

    @Override
    public List<ConfigSection<?>> configSections()
    {
        return List.of(new NbdSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new NbdDeviceProvider());
    }

    @Override
    public List<ManagementExtension> managementExtensions()
    {
        return List.of(new DiskManagement());
    }

    @Override
    public List<Object> ctlCommands()
    {
        return List.of(new DiskCommand());
    }

    @Override
    public List<StatSection> statSections()
    {
        return List.of(DiskStats.section());
    }
}
