/** QoS benchmarks: the cost of admitting one block request through the slice scheduler. */
package io.vplane.perf.qos;
