package io.vplane.engine;

import io.vplane.config.PoolConfig;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.binding.AutoBalancer;
import io.vplane.engine.binding.PlacementAutotuner;
import io.vplane.engine.binding.PoolBinding;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.TuneDriver;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.loopback.LoopbackDeviceConfig;
import io.vplane.engine.loopback.LoopbackDeviceProvider;
import io.vplane.engine.management.AutotuneView;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.management.StatusView;
import io.vplane.engine.tune.TuneSettings;
import io.vplane.engine.tune.Tuner;
import io.vplane.engine.worker.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The running engine: one worker pool and one binding per device type, and the devices that the
 * providers open from the config. Control-plane calls only; the data path runs on the workers.
 */
public final class Engine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Counters counters;
    private final ErrorLog errors;
    private final Map<String, DeviceProvider> providers = new LinkedHashMap<>();
    private final Map<String, WorkerPool> pools = new LinkedHashMap<>();
    private final Map<String, PoolBinding> bindings = new LinkedHashMap<>();
    /** Every running device's spec, and whether it came from the config file (else from {@link #addDevice}). */
    private final Map<String, RunningDevice> running = new LinkedHashMap<>();
    /** The config applied last, for devices the engine opens itself (the tuner's built-in load). */
    private VplaneConfig config;
    private volatile boolean tuning;
    private AutoBalancer autoBalancer;

    public Engine(final VplaneConfig config, final Counters counters, final ErrorLog errors)
    {
        this(config, counters, errors, DeviceKinds.load().deviceProviders());
    }

    public Engine(final VplaneConfig config, final Counters counters, final ErrorLog errors, final List<DeviceProvider> providers)
    {
        this.counters = counters;
        this.errors = errors;
        this.config = config;
        providers.forEach(provider -> this.providers.put(provider.kind(), provider));
        try
        {
            for (final String type : VplaneConfig.DEVICE_TYPES)
            {
                final WorkerPool pool = new WorkerPool(config.pool(type), counters,
                    ex -> errors.record("worker", ex.getClass().getSimpleName(), type + " pool: " + ex));
                pools.put(type, pool);
                bindings.put(type, new PoolBinding(pool, counters));
            }
            reconcileDevices(config);
            autoBalancer = new AutoBalancer(bindings, type -> currentConfig().pool(type).autoBalance(), () -> tuning);
        }
        catch (final RuntimeException | Error ex)
        {
            // A device that cannot open (an NBD port in use) fails the start: the workers already
            // running must stop before the caller unmaps the counters file they write to.
            close();
            throw ex;
        }
    }

    /** The devices {@code config} declares, from every provider. */
    public List<DeviceSpec> declaredDevices(final VplaneConfig config)
    {
        final List<DeviceSpec> specs = new ArrayList<>();
        providers.values().forEach(provider -> specs.addAll(provider.declaredDevices(config)));
        return specs;
    }

    /** Opens and binds a device while running; reloads leave it alone until {@link #removeDevice} removes it. */
    public synchronized StatusView.DeviceView addDevice(final DeviceSpec spec, final VplaneConfig config)
    {
        if (running.containsKey(spec.name()))
        {
            throw new IllegalArgumentException("a device named " + spec.name() + " is already running");
        }
        open(spec, config, false);
        return view(device(spec.name()));
    }

    public synchronized void removeDevice(final String name)
    {
        final RunningDevice device = running.get(name);
        if (null == device)
        {
            throw new IllegalArgumentException("no device " + name + "; running: " + running.keySet());
        }
        close(device.spec);
    }

    public synchronized PlacementView placement(final String type)
    {
        return binding(type).placement();
    }

    public synchronized List<PlacementView> placements()
    {
        return bindings.values().stream().map(PoolBinding::placement).toList();
    }

    /** Rebinds every device of {@code type} with N = {@code queuesPerWorker}, keeping the batch threshold. */
    public synchronized PlacementView changePlacement(final String type, final int queuesPerWorker)
    {
        final PoolBinding binding = binding(type);
        final PlacementView view = binding.rebind(queuesPerWorker, binding.batch());
        LOG.info("placement of {} devices changed: queuesPerWorker={}", type, queuesPerWorker);
        return view;
    }

    /** Tries N = 1..{@code maxQueuesPerWorker} under the current load and keeps the N that served most. */
    public synchronized AutotuneView autotunePlacement(final String type, final int maxQueuesPerWorker, final long windowMs)
    {
        final AutotuneView result = PlacementAutotuner.run(binding(type), maxQueuesPerWorker, windowMs);
        LOG.info("placement of {} devices chosen by measurement: queuesPerWorker={} ({})", type,
            result.chosenQueuesPerWorker(), result.trials());
        return result;
    }

    /** Where every queue of {@code type} runs and its measured load; not under the engine's lock, as it measures a while. */
    public PlacementView placementWithLoads(final String type)
    {
        return binding(type).placementWithLoads();
    }

    /** Estimates (and unless {@code dryRun} applies, past the threshold) a load-based grouping of {@code type}'s queues. */
    public GroupingView groupByLoad(final String type, final double thresholdPercent, final boolean dryRun)
    {
        final GroupingView view = binding(type).regroupByLoad(thresholdPercent, dryRun);
        if (view.applied())
        {
            LOG.info("placement of {} devices regrouped by load: {}", type, view.reason());
        }
        return view;
    }

    /**
     * Chooses N for a type by measurement; runs for as long as the candidates take, not under the
     * engine's lock, so status and other commands answer meanwhile.
     */
    public Tuner.Result tune(final TuneSettings settings, final Tuner.Progress progress) throws Exception
    {
        final Tuner.Result result;
        tuning = true;
        try
        {
            result = Tuner.run(binding(settings.type()), settings, (queues, workers) -> builtinLoad(settings, queues, workers),
                progress);
        }
        finally
        {
            tuning = false;
        }
        LOG.info("tuned {}: {} (queuesPerWorker now {})", settings.type(), result.choice().reason(), result.queuesPerWorkerAfter());
        return result;
    }

    /**
     * The type's own built-in load (a provider's {@link TuneDriver}, driving its real front end), or
     * when it has none or cannot run now, a loopback device that offers the same requests to every candidate.
     */
    private TuneDriver.Run builtinLoad(final TuneSettings settings, final int queues, final int workers) throws Exception
    {
        for (final DeviceProvider provider : providers.values())
        {
            final TuneDriver driver = provider.tuneDriver();
            if (null != driver && driver.type().equals(settings.type()))
            {
                final TuneDriver.Run run =
                    driver.start(tuneContext(), queues, workers, settings.ratePerWorkerOr(driver.defaultRatePerWorker()));
                if (null != run)
                {
                    return run;
                }
            }
        }
        return loopbackLoad(settings.type(), queues, settings.ratePerWorkerOr(Tuner.BUILTIN_RATE_PER_WORKER) * workers,
            Tuner.BUILTIN_REQUEST_COST_NS);
    }

    private TuneDriver.Context tuneContext()
    {
        return new TuneDriver.Context()
        {
            @Override
            public VplaneConfig config()
            {
                return currentConfig();
            }

            @Override
            public List<Device> devices(final String kind)
            {
                synchronized (Engine.this)
                {
                    final List<Device> devices = new ArrayList<>();
                    bindings.values().forEach(binding -> binding.devices().stream()
                        .filter(device -> device.spec().kind().equals(kind)).forEach(devices::add));
                    return devices;
                }
            }

            @Override
            public void addDevice(final DeviceSpec spec)
            {
                Engine.this.addDevice(spec, currentConfig());
            }

            @Override
            public void removeDevice(final String name)
            {
                Engine.this.removeDevice(name);
            }

            @Override
            public Device device(final String name)
            {
                return Engine.this.device(name);
            }
        };
    }

    /** A loopback device on {@code type}'s pool that offers the same requests to every candidate; closing removes it. */
    private TuneDriver.Run loopbackLoad(final String type, final int queues, final long ratePerSec, final long requestCostNs)
    {
        final String name = "tune-" + type;
        addDevice(new DeviceSpec(LoopbackDeviceProvider.KIND, name, type,
            new LoopbackDeviceConfig(name, type, queues, ratePerSec, requestCostNs)), currentConfig());
        final String description = String.format(Locale.ROOT,
            "synthetic loopback device %s: %d queues, %,d requests/s, %,d ns of CPU each", name, queues, ratePerSec, requestCostNs);
        return new TuneDriver.Run()
        {
            @Override
            public String description()
            {
                return description;
            }

            @Override
            public void close()
            {
                removeDevice(name);
            }
        };
    }

    /**
     * Applies the settings of {@code next} that may change while running: N and batch per type
     * (rebind), CPU lists (re-pin), and devices added, removed or changed.
     */
    public synchronized void applyLive(final VplaneConfig next)
    {
        config = next;
        for (final String type : VplaneConfig.DEVICE_TYPES)
        {
            final PoolConfig wanted = next.pool(type);
            final PoolBinding binding = binding(type);
            if (wanted.queuesPerWorker() != binding.queuesPerWorker() || wanted.batch() != binding.batch())
            {
                binding.rebind(wanted.queuesPerWorker(), wanted.batch());
            }
            final WorkerPool pool = pools.get(type);
            if (!wanted.cpus().equals(pool.config().cpus()))
            {
                pool.repin(wanted.cpus());
            }
        }
        providers.values().forEach(provider -> provider.applyLive(next));
        reconcileDevices(next);
    }

    public synchronized List<StatusView.DeviceView> devices()
    {
        final List<StatusView.DeviceView> views = new ArrayList<>();
        bindings.values().forEach(binding -> binding.devices().forEach(device -> views.add(view(device))));
        return views;
    }

    /** The running device called {@code name}. */
    public synchronized Device device(final String name)
    {
        for (final PoolBinding binding : bindings.values())
        {
            for (final Device device : binding.devices())
            {
                if (device.name().equals(name))
                {
                    return device;
                }
            }
        }
        throw new IllegalArgumentException("no device " + name);
    }

    /**
     * Stops every device from taking new requests and waits until their queues are empty or the
     * deadline passes.
     *
     * @return true if everything queued was served
     */
    public synchronized boolean drain(final long timeoutMs)
    {
        bindings.values().forEach(binding -> binding.devices().forEach(Device::quiesce));
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (backlog() > 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                LOG.warn("drain deadline of {} ms passed with {} requests still queued", timeoutMs, backlog());
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    private synchronized VplaneConfig currentConfig()
    {
        return config;
    }

    @Override
    public synchronized void close()
    {
        if (null != autoBalancer)
        {
            autoBalancer.close();
        }
        bindings.values().forEach(PoolBinding::close);
        pools.values().forEach(WorkerPool::close);
        running.clear();
    }

    private long backlog()
    {
        return bindings.values().stream().mapToLong(PoolBinding::backlog).sum();
    }

    private PoolBinding binding(final String type)
    {
        final PoolBinding binding = bindings.get(type);
        if (null == binding)
        {
            throw new IllegalArgumentException("unknown device type '" + type + "'; types: " + bindings.keySet());
        }
        return binding;
    }

    /**
     * Makes the devices from the config file match {@code config}: opens the new ones, closes the
     * ones gone, reopens the changed ones. A device added at run time is replaced only if the file
     * now declares one of the same name.
     */
    private void reconcileDevices(final VplaneConfig config)
    {
        final Map<String, DeviceSpec> wanted = new LinkedHashMap<>();
        declaredDevices(config).forEach(spec -> wanted.put(spec.name(), spec));
        for (final RunningDevice device : List.copyOf(running.values()))
        {
            final DeviceSpec replacement = wanted.get(device.spec.name());
            if (device.fromConfig ? !device.spec.equals(replacement) : null != replacement)
            {
                close(device.spec);
            }
        }
        for (final DeviceSpec spec : wanted.values())
        {
            if (!running.containsKey(spec.name()))
            {
                open(spec, config, true);
            }
        }
    }

    private void open(final DeviceSpec spec, final VplaneConfig config, final boolean fromConfig)
    {
        final DeviceProvider provider = providers.get(spec.kind());
        if (null == provider)
        {
            throw new IllegalArgumentException("no provider for device kind '" + spec.kind() + "'; kinds: " + providers.keySet());
        }
        final Device device = provider.open(spec, new DeviceContext(config.pool(spec.type()), counters, errors, binding(spec.type()).io()));
        binding(spec.type()).addDevice(device);
        running.put(spec.name(), new RunningDevice(spec, fromConfig));
        LOG.info("device {} ({}, type {}) bound with {} queues", spec.name(), spec.kind(), spec.type(), device.queues().size());
    }

    private void close(final DeviceSpec spec)
    {
        binding(spec.type()).removeDevice(spec.name());
        running.remove(spec.name());
        LOG.info("device {} ({}) removed", spec.name(), spec.kind());
    }

    private static StatusView.DeviceView view(final Device device)
    {
        return new StatusView.DeviceView(device.name(), device.spec().kind(), device.type(), device.queues().size());
    }

    private record RunningDevice(DeviceSpec spec, boolean fromConfig)
    {
    }
}
