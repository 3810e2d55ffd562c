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
    public volatile TuneRequest tuneRequest;

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
    public PlacementView placementWithLoads(final String type)
    {
        final PlacementView view = view(type, 3);
        return new PlacementView(view.type(), view.queuesPerWorker(), view.batch(), view.dedicated(), view.workers(), view.io(),
            PlacementView.BY_COUNT, List.of(
                new PlacementView.QueueView("lo1/0", type + ".lo1.g0", type + "-0", 1, 1200, 42.5, 250, false),
                new PlacementView.QueueView("lo2/0", type + ".lo2.g0", type + "-1", -1, 0, 0, 250, true)));
    }

    @Override
    public GroupingView groupByLoad(final String type, final double thresholdPercent, final boolean dryRun)
    {
        view(type, 1);
        return new GroupingView(type, List.of(
            new GroupingView.WorkerLoad(type + "-0", 80, 50, List.of("lo1/0", "lo1/2")),
            new GroupingView.WorkerLoad(type + "-1", 20, 50, List.of("lo1/1", "lo1/3"))),
            900, 0, 100, thresholdPercent, dryRun, !dryRun, dryRun ? "dry run" : "applied");
    }

    @Override
    public TuneView startTune(final TuneRequest request)
    {
        view(request.type(), 1);
        tuneRequest = request;
        return tune();
    }

    @Override
    public TuneView tune()
    {
        final TuneRequest request = tuneRequest;
        if (null == request)
        {
            throw new NoSuchElementException("no tuning run yet");
        }
        return new TuneView(TuneView.DONE, request.type(), "utilisation", "builtin", "synthetic loopback device tune-net",
            List.of(1, 2), 2000, true, false, 2, 0,
            List.of(new TuneView.Trial(1, 2.0, 20_000, 10_000, 0.5, 40.0, 40_000, 1500, 20_000, 12.0, 48.0,
                    List.of(new TuneView.WorkerSample(request.type() + "-0", 25, 20))),
                new TuneView.Trial(2, 2.0, 20_000, 10_000, 0.4, 50.0, 50_000, 1400, 20_000, 9.5, 40.0,
                    List.of(new TuneView.WorkerSample(request.type() + "-0", 20, 18)))),
            2, 2, 2, "N=2: highest utilisation", 2, null, null, null, null);
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
