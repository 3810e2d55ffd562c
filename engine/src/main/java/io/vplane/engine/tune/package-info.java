/**
 * Choosing a device type's queues per worker by measurement ({@code vplane tune}): each candidate N
 * is bound in turn under the same load, the type's workers' CPU time, throughput and service time
 * are measured, and a criterion picks N.
 */
package io.vplane.engine.tune;
