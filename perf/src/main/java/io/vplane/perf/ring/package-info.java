/**
 * Measures the cross-thread hand-offs the engine could be built on (Agrona, JCTools, the
 * Disruptor), each on the use it would serve, to choose the ring per hand-off by figures.
 */
package io.vplane.perf.ring;
