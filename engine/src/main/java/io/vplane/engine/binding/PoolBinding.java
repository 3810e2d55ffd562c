package io.vplane.engine.binding;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.management.GroupingView;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.worker.IoThreads;
import io.vplane.engine.worker.Worker;
import io.vplane.engine.worker.WorkerPool;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Binds the queues of every device of one type to the workers of that type's pool, and rebinds
 * them when N (queues per worker) or the batch threshold changes.
 *
 * <p>A rebind first removes every old group agent and waits until each worker confirms the removal
 * (the agent has then run its last duty cycle), and only then adds the new agents. A queue thus
 * always has at most one consumer, and since a queue keeps its own consumer position, the new
 * consumer continues exactly where the old one stopped: nothing is lost, repeated or reordered.
 * All methods run on control threads and are serialised by this object's monitor.
 *
 * <p>Groups are formed in one of two ways: by count (N queues of one device per group, the
 * design's queues-per-worker) or by load ({@link #regroupByLoad}: one group per worker, the queues
 * of every device of the type spread by their measured load).
 */
public final class PoolBinding implements AutoCloseable
{
    private static final long WORKER_ACK_TIMEOUT_MS = 10_000;

    private final WorkerPool pool;
    private final IoThreads io;
    private final Counters counters;
    private final Map<String, BoundDevice> devices = new LinkedHashMap<>();
    private final Map<QueueGroupAgent, Worker> placed = new LinkedHashMap<>();
    /** For what operators ask (placement show, dry runs): the window since the last such reading. */
    private final QueueLoadMeter meter = new QueueLoadMeter(QueueLoadMeter.MAX_WINDOW_NS);
    /** For the auto mode: the window since its last check, however long the interval. */
    private final QueueLoadMeter balanceMeter = new QueueLoadMeter(Long.MAX_VALUE);
    private final AtomicCounter rebalancesConsidered;
    private final AtomicCounter rebalancesApplied;
    private int queuesPerWorker;
    private int batch;
    private String grouping = PlacementView.BY_COUNT;

    public PoolBinding(final WorkerPool pool, final Counters counters)
    {
        this.pool = pool;
        this.io = new IoThreads(pool.type(), pool.config().io());
        this.counters = counters;
        this.queuesPerWorker = pool.config().queuesPerWorker();
        this.batch = pool.config().batch();
        this.rebalancesConsidered = counters.counter(EngineMetrics.REBALANCE_CONSIDERED_TOTAL, "pool", pool.type());
        this.rebalancesApplied = counters.counter(EngineMetrics.REBALANCE_APPLIED_TOTAL, "pool", pool.type());
    }

    /** The type's workers, whose threads' CPU time a tuner reads. */
    public List<Worker> workers()
    {
        return pool.workers();
    }

    /** The type's I/O threads, which device kinds start beside the workers. */
    public IoThreads io()
    {
        return io;
    }

    public String type()
    {
        return pool.type();
    }

    public synchronized int queuesPerWorker()
    {
        return queuesPerWorker;
    }

    public synchronized int batch()
    {
        return batch;
    }

    public synchronized List<Device> devices()
    {
        return devices.values().stream().map(BoundDevice::device).toList();
    }

    /** Binds the queues of {@code device}, then lets it start. */
    public synchronized void addDevice(final Device device)
    {
        if (devices.containsKey(device.name()))
        {
            throw new IllegalArgumentException("device " + device.name() + " is already bound");
        }
        final QueueFault fault = new QueueFault(device.name(),
            counters.counter(EngineMetrics.DEVICE_FAULTS_TOTAL, "pool", type(), "device", device.name()));
        final List<BoundQueue> queues = new ArrayList<>();
        for (final DeviceQueue queue : device.queues())
        {
            queues.add(new BoundQueue(type(), device.name(), queue, counters, fault));
        }
        final BoundDevice bound = new BoundDevice(device, queues, fault);
        devices.put(device.name(), bound);
        place(groupsOf(bound));
        device.start();
    }

    /** Unbinds the queues of the device and closes it. */
    public synchronized void removeDevice(final String name)
    {
        final BoundDevice bound = devices.remove(name);
        if (null == bound)
        {
            throw new IllegalArgumentException("no device " + name + " of type " + type());
        }
        bound.device.quiesce();
        if (pool.dedicated())
        {
            // keeps dedicated workers numbered densely: every remaining group is placed afresh
            unplace(List.copyOf(placed.keySet()));
            final List<GroupPlan> plans = new ArrayList<>();
            devices.values().forEach(device -> plans.addAll(groupsOf(device)));
            place(plans);
            grouping = PlacementView.BY_COUNT;
        }
        else
        {
            // a load-based group may hold other devices' queues too: those stay on the same worker
            final Set<BoundQueue> leaving = Set.copyOf(bound.queues);
            final List<QueueGroupAgent> affected = placed.keySet().stream()
                .filter(group -> group.queues().stream().anyMatch(leaving::contains)).toList();
            final List<GroupPlan> remaining = new ArrayList<>();
            for (final QueueGroupAgent group : affected)
            {
                final List<BoundQueue> others = group.queues().stream().filter(queue -> !leaving.contains(queue)).toList();
                if (!others.isEmpty())
                {
                    remaining.add(new GroupPlan(group.name(), others, placed.get(group)));
                }
            }
            unplace(affected);
            place(remaining);
        }
        bound.queues.forEach(BoundQueue::close);
        bound.fault.counter().close();
        bound.device.close();
    }

    /**
     * Regroups every device with {@code newQueuesPerWorker} queues per group and {@code newBatch}.
     *
     * @return the binding afterwards
     */
    public synchronized PlacementView rebind(final int newQueuesPerWorker, final int newBatch)
    {
        if (newQueuesPerWorker < 1 || newBatch < 1)
        {
            throw new IllegalArgumentException("queuesPerWorker and batch must be at least 1: " +
                newQueuesPerWorker + ", " + newBatch);
        }
        unplace(List.copyOf(placed.keySet()));
        queuesPerWorker = newQueuesPerWorker;
        batch = newBatch;
        grouping = PlacementView.BY_COUNT;
        final List<GroupPlan> plans = new ArrayList<>();
        devices.values().forEach(device -> plans.addAll(groupsOf(device)));
        place(plans);
        return placement();
    }

    /**
     * Estimates a load-based grouping from the queues' measured loads (OVS {@code pmd-rxq-assign=group}):
     * one group per worker, heaviest queues first to the least-loaded worker. Applies it unless
     * {@code dryRun}, and only when it cuts the variance of the per-worker loads by more than
     * {@code thresholdPercent}.
     */
    public synchronized GroupingView regroupByLoad(final double thresholdPercent, final boolean dryRun)
    {
        return regroupByLoad(thresholdPercent, dryRun, meter);
    }

    /** The auto mode's check: the loads since its previous check (or {@link #startBalanceWindow}). */
    synchronized GroupingView autoRegroup(final double thresholdPercent)
    {
        return regroupByLoad(thresholdPercent, false, balanceMeter);
    }

    /** Opens the auto mode's first window. */
    synchronized void startBalanceWindow()
    {
        balanceMeter.mark(activeQueues());
    }

    private GroupingView regroupByLoad(final double thresholdPercent, final boolean dryRun, final QueueLoadMeter loads)
    {
        if (pool.dedicated())
        {
            throw new IllegalArgumentException("the " + type() + " pool is dedicated (a worker per group): " +
                "load-based grouping needs workers that share queues");
        }
        if (thresholdPercent < 0 || thresholdPercent > 100)
        {
            throw new IllegalArgumentException("thresholdPercent must be 0..100: " + thresholdPercent);
        }
        final List<BoundQueue> queues = activeQueues();
        final QueueLoadMeter.Reading reading = loads.read(queues);
        final List<Worker> workers = pool.workers();
        final List<List<BoundQueue>> before = new ArrayList<>();
        for (final Worker worker : workers)
        {
            final List<BoundQueue> on = new ArrayList<>();
            placed.forEach((group, at) ->
            {
                if (at == worker)
                {
                    group.queues().stream().filter(queues::contains).forEach(on::add);
                }
            });
            before.add(on);
        }
        final List<List<BoundQueue>> after = LoadGrouping.assign(queues, reading::load, workers.size());
        final double[] loadsBefore = LoadGrouping.workerLoads(before, reading::load);
        final double[] loadsAfter = LoadGrouping.workerLoads(after, reading::load);
        final double improvement = LoadGrouping.improvementPercent(loadsBefore, loadsAfter);
        rebalancesConsidered.incrementRelease();
        final boolean apply = !dryRun && improvement > thresholdPercent;
        final String reason;
        if (dryRun)
        {
            reason = String.format("dry run: would cut the load variance by %.1f%% (threshold %.1f%%)", improvement, thresholdPercent);
        }
        else if (apply)
        {
            reason = String.format("applied: load variance cut by %.1f%%, over the threshold of %.1f%%", improvement, thresholdPercent);
        }
        else
        {
            reason = String.format("kept the placement: load variance would drop by %.1f%%, not over the threshold of %.1f%%",
                improvement, thresholdPercent);
        }
        if (apply)
        {
            unplace(List.copyOf(placed.keySet()));
            final List<GroupPlan> plans = new ArrayList<>();
            for (int w = 0; w < workers.size(); w++)
            {
                if (!after.get(w).isEmpty())
                {
                    plans.add(new GroupPlan(type() + ".load.w" + w, after.get(w), workers.get(w)));
                }
            }
            place(plans);
            grouping = PlacementView.BY_LOAD;
            rebalancesApplied.incrementRelease();
        }
        final List<GroupingView.WorkerLoad> views = new ArrayList<>();
        for (int w = 0; w < workers.size(); w++)
        {
            views.add(new GroupingView.WorkerLoad(workers.get(w).name(), loadsBefore[w], loadsAfter[w],
                after.get(w).stream().map(BoundQueue::name).toList()));
        }
        return new GroupingView(type(), views, LoadGrouping.variance(loadsBefore), LoadGrouping.variance(loadsAfter),
            improvement, thresholdPercent, dryRun, apply, reason);
    }

    /** Where every queue runs, with each queue's load measured over a short window. */
    public synchronized PlacementView placementWithLoads()
    {
        final PlacementView view = placement();
        final QueueLoadMeter.Reading reading = meter.read(allQueues());
        final List<PlacementView.QueueView> queues = new ArrayList<>();
        placed.forEach((group, worker) -> group.queues().forEach(queue -> queues.add(new PlacementView.QueueView(
            queue.name(), group.name(), worker.name(), worker.pinned() ? worker.cpu() : -1, queue.served(),
            reading.load(queue), reading.windowMs(), queue.retired()))));
        return new PlacementView(view.type(), view.queuesPerWorker(), view.batch(), view.dedicated(), view.workers(), view.io(),
            view.grouping(), queues);
    }

    /** How queues are grouped now: {@link PlacementView#BY_COUNT} or {@link PlacementView#BY_LOAD}. */
    public synchronized String grouping()
    {
        return grouping;
    }

    /** Every bound queue of this type. */
    public synchronized List<BoundQueue> allQueues()
    {
        final List<BoundQueue> queues = new ArrayList<>();
        devices.values().forEach(device -> queues.addAll(device.queues));
        return queues;
    }

    private List<BoundQueue> activeQueues()
    {
        return allQueues().stream().filter(queue -> !queue.retired()).toList();
    }

    public synchronized PlacementView placement()
    {
        final Map<Worker, List<PlacementView.GroupView>> byWorker = new LinkedHashMap<>();
        final List<Worker> workers = pool.workers();
        workers.forEach(worker -> byWorker.put(worker, new ArrayList<>()));
        placed.forEach((group, worker) -> byWorker.computeIfAbsent(worker, ignore -> new ArrayList<>()).add(
            new PlacementView.GroupView(group.name(), group.queues().stream().map(BoundQueue::name).toList())));
        final List<PlacementView.WorkerView> views = new ArrayList<>();
        byWorker.forEach((worker, groups) ->
            views.add(new PlacementView.WorkerView(worker.name(), worker.cpu(), worker.pinned(), List.copyOf(groups))));
        return new PlacementView(type(), queuesPerWorker, batch, pool.dedicated(), views, io.views(), grouping, List.of());
    }

    /** Requests served so far over every queue of this type (completions, not the polls' work count). */
    public synchronized long requestsServed()
    {
        return sumOverQueues(BoundQueue::served);
    }

    /** Backlog over every queue of this type. */
    public synchronized long backlog()
    {
        // a retired device's queues are never drained again
        return sumOverQueues(queue -> queue.retired() ? 0 : queue.queue.backlog());
    }

    private long sumOverQueues(final ToLongFunction<BoundQueue> value)
    {
        long total = 0;
        for (final BoundDevice device : devices.values())
        {
            for (final BoundQueue queue : device.queues)
            {
                total += value.applyAsLong(queue);
            }
        }
        return total;
    }

    @Override
    public synchronized void close()
    {
        for (final String name : List.copyOf(devices.keySet()))
        {
            removeDevice(name);
        }
        rebalancesConsidered.close();
        rebalancesApplied.close();
    }

    private List<GroupPlan> groupsOf(final BoundDevice device)
    {
        final int count = QueueBinding.groupCount(device.queues.size(), queuesPerWorker);
        final List<GroupPlan> groups = new ArrayList<>(count);
        for (int g = 0; g < count; g++)
        {
            final int first = QueueBinding.firstQueue(g, queuesPerWorker);
            final int size = QueueBinding.groupSize(g, device.queues.size(), queuesPerWorker);
            final String name = type() + "." + device.device.name() + ".g" + g;
            groups.add(new GroupPlan(name, device.queues.subList(first, first + size), null));
        }
        return groups;
    }

    /** Puts each group on its target worker, else on the one carrying the fewest queues (dedicated: on a worker of its own). */
    private void place(final List<GroupPlan> plans)
    {
        final List<Worker> workers = pool.dedicated() ? pool.ensureDedicated(placed.size() + plans.size()) : pool.workers();
        final Map<Worker, Integer> load = new HashMap<>();
        workers.forEach(worker -> load.put(worker, 0));
        placed.forEach((group, worker) -> load.merge(worker, group.queues().size(), Integer::sum));
        final List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (final GroupPlan plan : plans)
        {
            final Worker worker = null != plan.target() ? plan.target() : workers.stream()
                .filter(candidate -> !pool.dedicated() || load.get(candidate) == 0)
                .min(Comparator.comparingInt(load::get))
                .orElseThrow();
            final QueueGroupAgent group = new QueueGroupAgent(plan.name(), plan.queues(), batch,
                counters.counter(EngineMetrics.GROUP_REQUESTS_TOTAL, "pool", type(), "group", plan.name(), "worker", worker.name()),
                worker.clock());
            load.merge(worker, group.queues().size(), Integer::sum);
            placed.put(group, worker);
            acks.add(worker.add(group));
        }
        awaitAll(acks, "bind");
    }

    private void unplace(final List<QueueGroupAgent> groups)
    {
        final List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (final QueueGroupAgent group : groups)
        {
            acks.add(placed.get(group).remove(group));
        }
        awaitAll(acks, "unbind");
        for (final QueueGroupAgent group : groups)
        {
            placed.remove(group);
            group.requestsCounter().close();
        }
    }

    private void awaitAll(final List<CompletableFuture<Void>> acks, final String what)
    {
        try
        {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WORKER_ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(type() + " workers did not confirm " + what + " within " +
                WORKER_ACK_TIMEOUT_MS + " ms", ex);
        }
    }

    private record BoundDevice(Device device, List<BoundQueue> queues, QueueFault fault)
    {
    }

    /** @param target the worker to put it on, or null for the least-loaded one */
    private record GroupPlan(String name, List<BoundQueue> queues, Worker target)
    {
    }
}
