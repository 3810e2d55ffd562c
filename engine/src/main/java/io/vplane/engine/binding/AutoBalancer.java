package io.vplane.engine.binding;

import io.vplane.config.AutoBalanceConfig;
import io.vplane.engine.management.GroupingView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The opt-in auto mode of load-based grouping ({@code pools.TYPE.autoBalance}): a control thread
 * that, for each pool with it enabled, estimates a load-based grouping every
 * {@code minIntervalSeconds} and applies it when it cuts the variance of the per-worker loads by
 * more than {@code thresholdPercent}, as OVS-DPDK's PMD auto load balance does. It reads the
 * settings on every tick, so a reload turns it on or off. It stays away while a tuning run rebinds.
 */
public final class AutoBalancer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AutoBalancer.class);
    private static final long TICK_MS = 1_000;

    private final Map<String, PoolBinding> bindings;
    private final Function<String, AutoBalanceConfig> settings;
    private final BooleanSupplier paused;
    private final Map<String, Long> lastNs = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task ->
    {
        final Thread thread = new Thread(task, "vplane-auto-balance");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param settings each type's current auto-balance settings
     * @param paused   true while something else rebinds (a tuning run)
     */
    public AutoBalancer(
        final Map<String, PoolBinding> bindings, final Function<String, AutoBalanceConfig> settings, final BooleanSupplier paused)
    {
        this.bindings = Map.copyOf(bindings);
        this.settings = settings;
        this.paused = paused;
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    void tick()
    {
        final long now = System.nanoTime();
        bindings.forEach((type, binding) ->
        {
            final AutoBalanceConfig config = settings.apply(type);
            if (!config.enabled() || paused.getAsBoolean())
            {
                lastNs.remove(type);
                return;
            }
            final Long last = lastNs.get(type);
            if (null == last)
            {
                // the first interval starts now: the loads need a window to be measured over
                lastNs.put(type, now);
                binding.startBalanceWindow();
                return;
            }
            if (now - last < TimeUnit.SECONDS.toNanos(config.minIntervalSeconds()))
            {
                return;
            }
            lastNs.put(type, now);
            try
            {
                final GroupingView view = binding.autoRegroup(config.thresholdPercent());
                if (view.applied())
                {
                    LOG.info("auto-balance of {}: {}", type, view.reason());
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("auto-balance of {} skipped: {}", type, ex.getMessage());
            }
        });
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
    }
}
