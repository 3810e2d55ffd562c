package io.vplane.engine.management;

import io.vplane.config.ConfigDefaults;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceSpec;

import java.util.List;
import java.util.NoSuchElementException;

/** A management API with canned answers, recording the last placement change. */
public final class FakeManagementApi implements ManagementApi
{
    public volatile String changedType;
    public volatile int changedQueuesPerWorker;
    public volatile String addedDevice;
    public volatile String removedDevice;

    @Override
    public StatusView status()
    {
        return new StatusView(
            4242, 1_700_000_000_000L, 3_723_000, "/tmp/vplane", "/etc/vplane.yaml",
            List.of(new StatusView.DeviceView("lo1", "loopback", "blk", 4)),
            List.of(placement("blk")));
    }

    @Override
    public VplaneConfig config()
    {
        return ConfigDefaults.config(List.of());
    }

    @Override
    public ReloadReport reload()
    {
        return new ReloadReport("/etc/vplane.yaml", List.of(
            new ReloadReport.Change("pools.blk.workers", "1", "2", ReloadReport.Outcome.NEEDS_RESTART),
            new ReloadReport.Change("pools.blk.batch", "16", "32", ReloadReport.Outcome.APPLIED)));
    }

    @Override
    public PlacementView placement(final String type)
    {
        return view(type, 3);
    }

    @Override
    public PlacementView changePlacement(final String type, final int queuesPerWorker)
    {
        if ("boom".equals(type))
        {
            throw new IllegalStateException("workers did not answer");
        }
        if (queuesPerWorker <= 0)
        {
            throw new IllegalArgumentException("queuesPerWorker must be positive: " + queuesPerWorker);
        }
        final PlacementView view = view(type, queuesPerWorker);
        changedType = type;
        changedQueuesPerWorker = queuesPerWorker;
        return view;
    }

    @Override
    public AutotuneView autotunePlacement(final String type, final int maxQueuesPerWorker, final long windowMs)
    {
        return new AutotuneView(type, List.of(new AutotuneView.Trial(1, 1000.0), new AutotuneView.Trial(2, 1500.0)), 2,
            view(type, 2));
    }

    @Override
    public List<StatusView.DeviceView> devices()
    {
        return status().devices();
    }

    @Override
    public StatusView.DeviceView addDevice(final String kind, final String deviceJson)
    {
        if (!"loopback".equals(kind))
        {
            throw new IllegalArgumentException("unknown device kind '" + kind + "'");
        }
        addedDevice = deviceJson;
        return new StatusView.DeviceView("lo9", kind, "blk", 2);
    }

    @Override
    public StatusView.DeviceView addDevice(final DeviceSpec spec)
    {
        addedDevice = spec.name();
        return new StatusView.DeviceView(spec.name(), spec.kind(), spec.type(), 1);
    }

    @Override
    public Device device(final String name)
    {
        throw new NoSuchElementException("no device " + name);
    }

    @Override
    public void removeDevice(final String name)
    {
        if (!"lo1".equals(name))
        {
            throw new IllegalArgumentException("no device " + name);
        }
        removedDevice = name;
    }

    private static PlacementView view(final String type, final int queuesPerWorker)
    {
        if (!VplaneConfig.DEVICE_TYPES.contains(type))
        {
            throw new IllegalArgumentException("no worker pool for device type '" + type + "'");
        }
        return new PlacementView(type, queuesPerWorker, 16, false, List.of(
            new PlacementView.WorkerView(type + "-0", 1, true, List.of(
                new PlacementView.GroupView(type + ".lo1.g0", List.of("lo1/0", "lo1/1", "lo1/2")))),
            new PlacementView.WorkerView(type + "-1", -1, false, List.of(
                new PlacementView.GroupView(type + ".lo1.g1", List.of("lo1/3")),
                new PlacementView.GroupView(type + ".lo2.g0", List.of("lo2/0"))))),
            List.of());
    }
}
