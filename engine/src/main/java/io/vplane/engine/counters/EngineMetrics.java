package io.vplane.engine.counters;

import java.util.Map;

/**
 * The metric and label names the engine allocates counters under, with their help texts. Other
 * modules may add their own metrics without touching this class; these are the ones the engine and
 * {@code vplane stat} know by name.
 */
public final class EngineMetrics
{
    public static final String POOL = "pool";
    public static final String WORKER = "worker";
    public static final String CPU = "cpu";
    public static final String GROUP = "group";
    public static final String DEVICE = "device";
    public static final String QUEUE = "queue";
    public static final String COMPONENT = "component";
    public static final String ERROR = "error";

    /** Counter {pool, worker}: nanoseconds spent in duty cycles that did work. */
    public static final String WORKER_BUSY_NS_TOTAL = "vplane_worker_busy_ns_total";

    /** Counter {pool, worker}: duty cycles run, busy or idle. */
    public static final String WORKER_DUTY_CYCLES_TOTAL = "vplane_worker_duty_cycles_total";

    /** Gauge {pool, worker}: the CPU the worker is pinned to now, -1 when it is not pinned. */
    public static final String WORKER_CPU = "vplane_worker_cpu";

    /** Counter {pool, worker}: commands that could not be put in a worker's full inbox at the first try. */
    public static final String INBOX_OFFER_FAILURES_TOTAL = "vplane_inbox_offer_failures_total";

    /** Counter {pool, worker}: exceptions thrown by the agents a worker runs. */
    public static final String WORKER_AGENT_ERRORS_TOTAL = "vplane_worker_agent_errors_total";

    /** Counter {pool, group, worker}: requests a queue group processed. */
    public static final String GROUP_REQUESTS_TOTAL = "vplane_group_requests_total";

    /** Counter {pool, device, queue}: work the polls of one device queue reported (requests taken; a disk queue also counts completions). */
    public static final String QUEUE_REQUESTS_TOTAL = "vplane_queue_requests_total";

    /** Counter {pool, device, queue}: nanoseconds spent in a queue's polls that took work (its load). */
    public static final String QUEUE_BUSY_NS_TOTAL = "vplane_queue_busy_ns_total";

    /** Counter {pool, device}: faults in a device's queue polls that retired the device from its workers. */
    public static final String DEVICE_FAULTS_TOTAL = "vplane_device_faults_total";

    /** Counter {pool}: load-based regroupings considered (dry runs and auto-balance checks). */
    public static final String REBALANCE_CONSIDERED_TOTAL = "vplane_rebalance_considered_total";

    /** Counter {pool}: load-based regroupings applied. */
    public static final String REBALANCE_APPLIED_TOTAL = "vplane_rebalance_applied_total";

    /** Gauge {pool, device, queue}: entries waiting in a queue's ring. */
    public static final String QUEUE_RING_OCCUPANCY = "vplane_queue_ring_occupancy";

    /** Counter {device, queue}: requests a loopback generator offered. */
    public static final String LOOPBACK_GENERATED_TOTAL = "vplane_loopback_generated_total";

    /** Counter {device, queue}: loopback requests consumed out of sequence. */
    public static final String LOOPBACK_ORDER_ERRORS_TOTAL = "vplane_loopback_order_errors_total";

    /** Counter {component, error}: errors by where they happened and what they were. */
    public static final String ERRORS_TOTAL = "vplane_errors_total";

    private static final Map<String, String> HELP = Map.ofEntries(
        Map.entry(WORKER_BUSY_NS_TOTAL, "Nanoseconds a worker spent in duty cycles that did work."),
        Map.entry(WORKER_DUTY_CYCLES_TOTAL, "Duty cycles a worker ran, busy or idle."),
        Map.entry(WORKER_CPU, "CPU the worker is pinned to; -1 when it is not pinned."),
        Map.entry(WORKER_AGENT_ERRORS_TOTAL, "Exceptions thrown by the agents a worker runs."),
        Map.entry(INBOX_OFFER_FAILURES_TOTAL, "Commands that found a worker's inbox full at the first offer."),
        Map.entry(GROUP_REQUESTS_TOTAL, "Requests processed by a queue group."),
        Map.entry(QUEUE_REQUESTS_TOTAL, "Requests taken from a device queue."),
        Map.entry(QUEUE_BUSY_NS_TOTAL, "Nanoseconds spent in a device queue's polls that took work."),
        Map.entry(DEVICE_FAULTS_TOTAL, "Faults in a device's queue polls that retired the device from its workers."),
        Map.entry(REBALANCE_CONSIDERED_TOTAL, "Load-based regroupings of a pool considered."),
        Map.entry(REBALANCE_APPLIED_TOTAL, "Load-based regroupings of a pool applied."),
        Map.entry(QUEUE_RING_OCCUPANCY, "Entries waiting in a device queue's ring."),
        Map.entry(LOOPBACK_GENERATED_TOTAL, "Requests a loopback device's generator offered to a queue."),
        Map.entry(LOOPBACK_ORDER_ERRORS_TOTAL, "Loopback requests consumed out of sequence."),
        Map.entry(ERRORS_TOTAL, "Errors by component and kind."));

    private EngineMetrics()
    {
    }

    /**
     * @param metricName a metric name as stored in the counters file (counters with their {@code _total})
     * @return its help text, or {@code null} for a metric the engine does not know
     */
    public static String help(final String metricName)
    {
        return HELP.get(metricName);
    }
}
