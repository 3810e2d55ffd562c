package io.vplane.engine.binding;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.management.PlacementView;
import io.vplane.engine.worker.IoThreads;
import io.vplane.engine.worker.Worker;
import io.vplane.engine.worker.WorkerPool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 */
public final class PoolBinding implements AutoCloseable
{
    private static final long WORKER_ACK_TIMEOUT_MS = 10_000;

    private final WorkerPool pool;
    private final IoThreads io;
    private final Counters counters;
    private final Map<String, BoundDevice> devices = new LinkedHashMap<>();
    private final Map<QueueGroupAgent, Worker> placed = new LinkedHashMap<>();
    private int queuesPerWorker;
    private int batch;

    public PoolBinding(final WorkerPool pool, final Counters counters)
    {
        this.pool = pool;
        this.io = new IoThreads(pool.type(), pool.config().io());
        this.counters = counters;
        this.queuesPerWorker = pool.config().queuesPerWorker();
        this.batch = pool.config().batch();
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
        final List<BoundQueue> queues = new ArrayList<>();
        for (final DeviceQueue queue : device.queues())
        {
            queues.add(new BoundQueue(type(), device.name(), queue, counters));
        }
        final BoundDevice bound = new BoundDevice(device, queues);
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
        }
        else
        {
            unplace(placed.keySet().stream().filter(group -> bound.queues.containsAll(group.queues())).toList());
        }
        bound.queues.forEach(BoundQueue::close);
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
        final List<GroupPlan> plans = new ArrayList<>();
        devices.values().forEach(device -> plans.addAll(groupsOf(device)));
        place(plans);
        return placement();
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
        return new PlacementView(type(), queuesPerWorker, batch, pool.dedicated(), views, io.views());
    }

    /** Requests served so far over every queue of this type. */
    public synchronized long requestsServed()
    {
        return sumOverQueues(queue -> queue.requests.get());
    }

    /** Backlog over every queue of this type. */
    public synchronized long backlog()
    {
        return sumOverQueues(queue -> queue.queue.backlog());
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
            groups.add(new GroupPlan(name, device.queues.subList(first, first + size)));
        }
        return groups;
    }

    /** Puts each group on the worker carrying the fewest queues (dedicated: on a worker of its own). */
    private void place(final List<GroupPlan> plans)
    {
        final List<Worker> workers = pool.dedicated() ? pool.ensureDedicated(placed.size() + plans.size()) : pool.workers();
        final Map<Worker, Integer> load = new HashMap<>();
        workers.forEach(worker -> load.put(worker, 0));
        placed.forEach((group, worker) -> load.merge(worker, group.queues().size(), Integer::sum));
        final List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (final GroupPlan plan : plans)
        {
            final Worker worker = workers.stream()
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

    private record BoundDevice(Device device, List<BoundQueue> queues)
    {
    }

    private record GroupPlan(String name, List<BoundQueue> queues)
    {
    }
}
