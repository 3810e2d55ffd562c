package io.vplane.engine.tune;

import io.vplane.engine.binding.BoundQueue;
import io.vplane.engine.binding.PoolBinding;
import io.vplane.engine.device.RequestLatency;
import io.vplane.engine.management.TuneView;
import io.vplane.engine.worker.Worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * One measurement window over a type's pool: opened with a snapshot of each worker's thread CPU
 * time and busy time and of the queues' requests, poll time and latency histograms, closed with a
 * second one; the latency percentiles are those of the requests served in between.
 */
final class TrialWindow
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final PoolBinding binding;
    private final List<RequestLatency> loadLatencies;
    private final List<Worker> workers;
    private final long[] cpuNs;
    private final long[] busyNs;
    private final long requests;
    private final long pollNs;
    private final long[] latencies = new long[RequestLatency.BUCKETS];
    private final long startNs;

    private TrialWindow(final PoolBinding binding, final List<RequestLatency> loadLatencies)
    {
        this.binding = binding;
        this.loadLatencies = loadLatencies;
        this.workers = binding.workers();
        this.cpuNs = new long[workers.size()];
        this.busyNs = new long[workers.size()];
        for (int i = 0; i < workers.size(); i++)
        {
            cpuNs[i] = cpuTime(workers.get(i));
            busyNs[i] = workers.get(i).busyNs();
        }
        this.requests = binding.requestsServed();
        this.pollNs = pollTime(binding);
        addLatencies(latencies);
        this.startNs = System.nanoTime();
    }

    /** @param loadLatencies latency recorders the built-in load keeps itself, beside the queues' */
    static TrialWindow open(final PoolBinding binding, final List<RequestLatency> loadLatencies)
    {
        if (!THREADS.isThreadCpuTimeSupported())
        {
            throw new IllegalStateException("this JVM cannot read thread CPU time: the tuner needs it");
        }
        if (!THREADS.isThreadCpuTimeEnabled())
        {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        return new TrialWindow(binding, List.copyOf(loadLatencies));
    }

    TuneView.Trial close(final int queuesPerWorker)
    {
        final long windowNs = Math.max(1, System.nanoTime() - startNs);
        final long served = binding.requestsServed() - requests;
        final long polled = pollTime(binding) - pollNs;
        long cpuTotal = 0;
        final List<TuneView.WorkerSample> samples = new ArrayList<>(workers.size());
        for (int i = 0; i < workers.size(); i++)
        {
            final Worker worker = workers.get(i);
            final long cpu = Math.max(0, cpuTime(worker) - cpuNs[i]);
            final long busy = Math.max(0, worker.busyNs() - busyNs[i]);
            cpuTotal += cpu;
            samples.add(new TuneView.WorkerSample(worker.name(), percent(cpu, windowNs), percent(busy, windowNs)));
        }
        final long[] window = new long[RequestLatency.BUCKETS];
        addLatencies(window);
        long sampled = 0;
        for (int i = 0; i < window.length; i++)
        {
            // a queue that left during the window takes its counts with it
            window[i] = Math.max(0, window[i] - latencies[i]);
            sampled += window[i];
        }
        final double seconds = windowNs / 1e9;
        final double cpuSeconds = cpuTotal / 1e9;
        return new TuneView.Trial(queuesPerWorker, seconds, served, served / seconds, cpuSeconds,
            0 == cpuTotal ? 0 : Math.min(100.0, polled * 100.0 / cpuTotal),
            0 == cpuTotal ? 0 : served / cpuSeconds,
            0 == served ? 0 : (double)polled / served,
            sampled, RequestLatency.quantile(window, 0.50) / 1e3, RequestLatency.quantile(window, 0.99) / 1e3,
            samples);
    }

    private static double percent(final long part, final long whole)
    {
        return part * 100.0 / whole;
    }

    private static long cpuTime(final Worker worker)
    {
        final long id = worker.threadId();
        // -1: not started yet, or the thread has ended
        return id < 0 ? 0 : Math.max(0, THREADS.getThreadCpuTime(id));
    }

    private void addLatencies(final long[] sums)
    {
        for (final BoundQueue queue : binding.allQueues())
        {
            final RequestLatency latency = queue.latency();
            if (null != latency)
            {
                latency.addTo(sums);
            }
        }
        loadLatencies.forEach(latency -> latency.addTo(sums));
    }

    private static long pollTime(final PoolBinding binding)
    {
        long total = 0;
        for (final BoundQueue queue : binding.allQueues())
        {
            total += queue.busyNs();
        }
        return total;
    }
}
