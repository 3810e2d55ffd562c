package io.vplane.config;

/**
 * Opt-in automatic load-based regrouping of one pool's queues (as OVS-DPDK's PMD auto load
 * balance): every {@code minIntervalSeconds} the queues' measured loads are regrouped in a dry run,
 * and the grouping is applied only when it cuts the variance of the per-worker loads by more than
 * {@code thresholdPercent}.
 */
public record AutoBalanceConfig(boolean enabled, int thresholdPercent, int minIntervalSeconds)
{
    public static final AutoBalanceConfig OFF = new AutoBalanceConfig(false, 25, 60);
}
