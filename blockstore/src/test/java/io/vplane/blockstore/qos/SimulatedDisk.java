package io.vplane.blockstore.qos;

import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One disk queue driven by a simulated clock: a client that sends {@code size}-byte requests
 * (at a fixed rate, or keeping {@code depth} waiting), the queue's {@link QueueGate}, and a device
 * that serves what is admitted at once, so the scheduler alone decides what gets through.
 */
final class SimulatedDisk
{
    private final QueueGate gate;
    private final BlockOp op;
    private final int size;
    /** Keeps this many requests waiting (a flood); 0: sends one every {@link #intervalNs}. */
    private final int depth;
    private final long intervalNs;
    private final ArrayDeque<BlockRequest> waiting = new ArrayDeque<>();
    private long nextArrivalNs;
    long admittedBytes;
    long admittedRequests;
    final List<Long> waitsNs = new ArrayList<>();
    private final List<Long> admittedAtNs = new ArrayList<>();

    private SimulatedDisk(final QueueGate gate, final BlockOp op, final int size, final int depth, final long intervalNs)
    {
        this.gate = gate;
        this.op = op;
        this.size = size;
        this.depth = depth;
        this.intervalNs = intervalNs;
    }

    static SimulatedDisk flooding(final QueueGate gate, final BlockOp op, final int size)
    {
        return new SimulatedDisk(gate, op, size, 256, 0);
    }

    static SimulatedDisk steady(final QueueGate gate, final BlockOp op, final int size, final long intervalNs)
    {
        return new SimulatedDisk(gate, op, size, 0, intervalNs);
    }

    static SimulatedDisk idle(final QueueGate gate)
    {
        return new SimulatedDisk(gate, BlockOp.READ, 4096, 0, Long.MAX_VALUE / 2);
    }

    /** One poll of the worker at {@code nowNs}. */
    void poll(final long nowNs)
    {
        gate.refreshCosts(waiting.isEmpty());
        if (depth > 0)
        {
            while (waiting.size() < depth)
            {
                arrive(nowNs);
            }
        }
        else
        {
            if (0 == admittedRequests && waiting.isEmpty() && 0 == nextArrivalNs)
            {
                nextArrivalNs = nowNs;
            }
            while (nowNs - nextArrivalNs >= 0)
            {
                arrive(nextArrivalNs);
                nextArrivalNs += intervalNs;
            }
        }
        gate.begin(nowNs);
        while (!waiting.isEmpty() && gate.admit(waiting.peekFirst()))
        {
            final BlockRequest request = waiting.pollFirst();
            admittedBytes += request.length();
            admittedRequests++;
            waitsNs.add(nowNs - request.receivedNs());
            admittedAtNs.add(nowNs);
        }
        gate.end(waiting.size(), 0);
    }

    private void arrive(final long atNs)
    {
        final BlockRequest request = new BlockRequest(null).set(op, 0, 0, 0, size, atNs);
        waiting.addLast(request);
        gate.waiting(request);
    }

    void reset()
    {
        admittedBytes = 0;
        admittedRequests = 0;
        waitsNs.clear();
        admittedAtNs.clear();
    }

    /** The most requests admitted within any window of {@code windowNs}. */
    int mostAdmittedWithin(final long windowNs)
    {
        int most = 0;
        int first = 0;
        for (int last = 0; last < admittedAtNs.size(); last++)
        {
            while (admittedAtNs.get(last) - admittedAtNs.get(first) >= windowNs)
            {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    long p99WaitNs()
    {
        final List<Long> sorted = waitsNs.stream().sorted().toList();
        return sorted.get((int)Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
    }
}
