package io.vplane.engine.daemon;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.config.ConfigDiff;
import io.vplane.config.ConfigException;
import io.vplane.config.ManagementConfig;
import io.vplane.config.SettingChange;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.Engine;
import io.vplane.engine.confine.DefaultDirectories;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.CountersFile;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.SignalDisposition;
import io.vplane.engine.management.AutotuneView;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.BearerToken;
import io.vplane.engine.management.ManagementApi;
import io.vplane.engine.management.ManagementListener;
import io.vplane.engine.management.ManagementServer;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.management.ReloadReport;
import io.vplane.engine.management.StatusView;
import io.vplane.engine.management.TuneRequest;
import io.vplane.engine.management.TuneView;
import io.vplane.engine.tune.TuneCriterion;
import io.vplane.engine.tune.TuneJob;
import io.vplane.engine.tune.TuneJobs;
import io.vplane.engine.tune.TuneLoad;
import io.vplane.engine.tune.TuneSettings;
import io.vplane.engine.tune.Tuner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One running vplane daemon. Start-up order: lock the run directory, write the pid file, create
 * the counters file, start the engine (workers and devices), start the management API and write
 * its URL. {@link #close()} undoes it in reverse and leaves the run directory clean.
 */
public final class Daemon implements ManagementApi, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final String EMBEDDED_SOURCE = "<embedded default>";
    private static final ObjectMapper COMPACT_JSON = new ObjectMapper();
    private static final Pattern DEVICE_KIND = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,31}");

    private final Path configFile;
    private final DeviceKinds kinds;
    private final RunDirectory runDirectory;
    private final RunDirectoryLock lock;
    private final CountersFile countersFile;
    private final Engine engine;
    private final List<ManagementServer> managementServers;
    private final long startTimeMs = System.currentTimeMillis();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final TuneJobs tuneJobs = new TuneJobs();
    private volatile VplaneConfig config;
    private boolean closed;

    private Daemon(final Path configFile, final VplaneConfig config, final DeviceKinds kinds) throws IOException
    {
        this.configFile = configFile;
        this.kinds = kinds;
        this.config = config;
        LogLevels.applyRootLevel(config.daemon().logLevel());
        runDirectory = new RunDirectory(Path.of(config.daemon().runDir()));
        lock = RunDirectoryLock.acquire(runDirectory, config.management().socketGroup());
        CountersFile counters = null;
        Engine engine = null;
        final List<ManagementServer> servers = new ArrayList<>();
        try
        {
            RunFiles.write(runDirectory.pidFile(), ProcessHandle.current().pid() + "\n");
            counters = CountersFile.create(runDirectory.countersFile(config.counters().fileName()), config.counters().maxCounters());
            final Counters facade = counters.counters();
            engine = new Engine(config, facade, new ErrorLog(facade), kinds.deviceProviders());
            if (config.management().enabled())
            {
                startManagement(new ManagementListener.UnixSocket(runDirectory.managementSocket(), config.management().socketGroup()),
                    counters, servers);
                if (config.management().tcp())
                {
                    final String url = startManagement(tcpListener(config.management()), counters, servers);
                    RunFiles.write(runDirectory.managementUrlFile(), url + "\n");
                }
            }
        }
        catch (final RuntimeException | IOException ex)
        {
            closeAll(servers.toArray(AutoCloseable[]::new));
            closeAll(engine, counters);
            removeRunFiles();
            lock.close();
            throw ex;
        }
        this.countersFile = counters;
        this.engine = engine;
        this.managementServers = List.copyOf(servers);
    }

    private String startManagement(final ManagementListener listener, final CountersFile counters, final List<ManagementServer> servers)
    {
        final ManagementServer server = new ManagementServer(listener, this, counters.reader(), kinds.managementExtensions());
        servers.add(server);
        final String url = server.start();
        LOG.info("management API at {}", url);
        return url;
    }

    private static ManagementListener.Tcp tcpListener(final ManagementConfig management)
    {
        final BearerToken token = BearerToken.readFrom(Path.of(management.tokenFile()));
        final ManagementListener.TlsFiles tls = management.tls()
            ? new ManagementListener.TlsFiles(Path.of(management.tlsCertFile()), Path.of(management.tlsKeyFile())) : null;
        return new ManagementListener.Tcp(management.bindAddress(), management.httpPort(), token, tls);
    }

    /**
     * Starts a daemon.
     *
     * @param configFile the config file, or null for the embedded default
     */
    public static Daemon start(final Path configFile) throws IOException
    {
        return start(configFile, config -> { });
    }

    /** @param beforeStart runs with the loaded config before any worker starts ({@code vplane run}: {@link Housekeeping}) */
    public static Daemon start(final Path configFile, final Consumer<VplaneConfig> beforeStart) throws IOException
    {
        final DeviceKinds kinds = DeviceKinds.load();
        final VplaneConfig config = DefaultDirectories.conclude(
            null == configFile ? kinds.loadDefault() : kinds.load(configFile));
        beforeStart.accept(config);
        final Daemon daemon = new Daemon(configFile, config, kinds);
        LOG.info("vplane daemon started: pid {}, config {}, run directory {}, device kinds {}",
            ProcessHandle.current().pid(), daemon.configSource(), daemon.runDirectory.dir(), kinds.names());
        return daemon;
    }

    /** SIGHUP reloads the config; SIGTERM and SIGINT ask the daemon to stop. */
    public void installSignalHandlers()
    {
        if (SignalDisposition.ignored(SignalDisposition.SIGHUP))
        {
            // started under nohup: the JVM would keep SIGHUP ignored and `kill -HUP` would do nothing
            SignalDisposition.restoreDefault(SignalDisposition.SIGHUP);
            LOG.info("SIGHUP was ignored at start (nohup?): vplane takes it back, SIGHUP reloads the config");
        }
        Signal.handle(new Signal("HUP"), signal -> Thread.ofVirtual().start(this::reloadFromSignal));
        Signal.handle(new Signal("TERM"), signal -> requestStop());
        Signal.handle(new Signal("INT"), signal -> requestStop());
    }

    public void requestStop()
    {
        stopRequested.countDown();
    }

    public void awaitStopRequest() throws InterruptedException
    {
        stopRequested.await();
    }

    public RunDirectory runDirectory()
    {
        return runDirectory;
    }

    public Engine engine()
    {
        return engine;
    }

    /** The device kinds this daemon runs, each with what it owns (the net kind's switches, say). */
    public DeviceKinds kinds()
    {
        return kinds;
    }

    @Override
    public StatusView status()
    {
        return new StatusView(ProcessHandle.current().pid(), startTimeMs, System.currentTimeMillis() - startTimeMs,
            runDirectory.dir().toString(), configSource(), engine.devices(), engine.placements());
    }

    @Override
    public VplaneConfig config()
    {
        return config;
    }

    @Override
    public synchronized ReloadReport reload()
    {
        final VplaneConfig next;
        try
        {
            next = DefaultDirectories.conclude(null == configFile ? kinds.loadDefault() : kinds.load(configFile));
        }
        catch (final ConfigException | IllegalStateException ex)
        {
            throw new IllegalArgumentException("reload refused, the running config is unchanged: " + ex.getMessage(), ex);
        }
        final List<SettingChange> changes = ConfigDiff.between(config, next);
        final VplaneConfig merged = LiveSettings.merge(config, next);
        engine.applyLive(merged);
        LogLevels.applyRootLevel(merged.daemon().logLevel());
        config = merged;
        final List<ReloadReport.Change> report = new ArrayList<>();
        for (final SettingChange change : changes)
        {
            final ReloadReport.Outcome outcome = change.live() ? ReloadReport.Outcome.APPLIED : ReloadReport.Outcome.NEEDS_RESTART;
            report.add(new ReloadReport.Change(change.path(), change.oldValue(), change.newValue(), outcome));
            LOG.info("reload: {}: {} -> {} ({})", change.path(), change.oldValue(), change.newValue(),
                change.live() ? "applied" : "needs restart");
        }
        LOG.info("reload of {} done: {} settings changed", configSource(), changes.size());
        return new ReloadReport(configSource(), report);
    }

    @Override
    public PlacementView placement(final String type)
    {
        return engine.placement(type);
    }

    @Override
    public PlacementView changePlacement(final String type, final int queuesPerWorker)
    {
        return engine.changePlacement(type, queuesPerWorker);
    }

    @Override
    public AutotuneView autotunePlacement(final String type, final int maxQueuesPerWorker, final long windowMs)
    {
        return engine.autotunePlacement(type, maxQueuesPerWorker, windowMs);
    }

    @Override
    public PlacementView placementWithLoads(final String type)
    {
        return engine.placementWithLoads(type);
    }

    @Override
    public GroupingView groupByLoad(final String type, final double thresholdPercent, final boolean dryRun)
    {
        return engine.groupByLoad(type, thresholdPercent, dryRun);
    }

    @Override
    public TuneView startTune(final TuneRequest request)
    {
        final TuneSettings settings = settings(request);
        engine.placement(settings.type()); // an unknown type fails here, before the run starts
        return tuneJobs.start(settings, this::tune);
    }

    @Override
    public TuneView tune()
    {
        return tuneJobs.last();
    }

    private TuneView tune(final TuneSettings settings, final Tuner.Progress progress) throws Exception
    {
        final Tuner.Result result = engine.tune(settings, progress);
        String file = null;
        String note = null;
        if (settings.apply() && result.choice().chosen() > 0)
        {
            file = null == configFile ? null : configFile.toAbsolutePath().toString();
            note = ConfigFileSetting.writeQueuesPerWorker(configFile, kinds, settings.type(), result.choice().chosen());
            LOG.info("tune {}: {}", settings.type(), note);
        }
        return TuneJob.done(settings, result, file, note);
    }

    private static TuneSettings settings(final TuneRequest request)
    {
        if (null == request.type() || request.type().isBlank())
        {
            throw new IllegalArgumentException("missing field 'type'");
        }
        return new TuneSettings(request.type(),
            null == request.candidates() ? TuneSettings.DEFAULT_CANDIDATES : request.candidates(),
            null == request.durationMs() ? TuneSettings.DEFAULT_DURATION_MS : request.durationMs(),
            null == request.load() ? TuneLoad.BUILTIN : TuneLoad.of(request.load()),
            null == request.criterion() ? TuneCriterion.THROUGHPUT_PER_CPU : TuneCriterion.of(request.criterion()),
            Boolean.TRUE.equals(request.dryRun()), Boolean.TRUE.equals(request.apply()),
            null == request.ratePerWorker() ? TuneSettings.DEFAULT_RATE : request.ratePerWorker());
    }

    @Override
    public List<StatusView.DeviceView> devices()
    {
        return engine.devices();
    }

    @Override
    public StatusView.DeviceView addDevice(final String kind, final String deviceJson)
    {
        if (!DEVICE_KIND.matcher(kind).matches())
        {
            throw new IllegalArgumentException("not a device kind: '" + kind + "'");
        }
        final VplaneConfig holder;
        try
        {
            final JsonNode entry = COMPACT_JSON.readTree(deviceJson);
            if (null == entry || !entry.isObject())
            {
                throw new IllegalArgumentException("a device must be a JSON object, got: " + deviceJson);
            }
            // JSON on one line is YAML: the entry is validated by the same binder as the file's devices.KIND list
            holder = kinds.parse("devices:\n  " + kind + ":\n    - " + COMPACT_JSON.writeValueAsString(entry) + "\n", "request");
        }
        catch (final JacksonException ex)
        {
            throw new IllegalArgumentException("bad JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        // The running daemon section, so the entry's paths are confined to the running directories.
        final List<DeviceSpec> specs = engine.declaredDevices(holder.withDaemon(config.daemon()));
        if (specs.size() != 1)
        {
            throw new IllegalArgumentException("expected one " + kind + " device, got " + specs.size());
        }
        return engine.addDevice(specs.getFirst(), config);
    }

    @Override
    public StatusView.DeviceView addDevice(final DeviceSpec spec)
    {
        return engine.addDevice(spec, config);
    }

    @Override
    public Device device(final String name)
    {
        try
        {
            return engine.device(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new NoSuchElementException(ex.getMessage(), ex);
        }
    }

    @Override
    public void removeDevice(final String name)
    {
        engine.removeDevice(name);
    }

    /** Drains with the configured deadline, then stops everything and cleans the run directory. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final boolean drained = engine.drain(config.daemon().drainTimeoutMs());
        LOG.info("vplane daemon stopping ({})", drained ? "drained" : "drain deadline passed");
        closeAll(managementServers.toArray(AutoCloseable[]::new));
        closeAll(engine, countersFile);
        removeRunFiles();
        try
        {
            lock.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private String configSource()
    {
        return null == configFile ? EMBEDDED_SOURCE : configFile.toAbsolutePath().toString();
    }

    private void reloadFromSignal()
    {
        try
        {
            reload();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("SIGHUP: {}", ex.getMessage());
        }
    }

    private static void closeAll(final AutoCloseable... resources)
    {
        for (final AutoCloseable resource : resources)
        {
            if (null != resource)
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ex)
                {
                    LOG.warn("while stopping: {}", ex.toString());
                }
            }
        }
    }

    private void removeRunFiles()
    {
        try
        {
            Files.deleteIfExists(runDirectory.managementUrlFile());
            Files.deleteIfExists(runDirectory.countersFile(config.counters().fileName()));
            Files.deleteIfExists(runDirectory.pidFile());
        }
        catch (final IOException ex)
        {
            LOG.warn("could not clean run directory {}: {}", runDirectory.dir(), ex.toString());
        }
    }
}
