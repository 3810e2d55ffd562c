/** Load for the uplink benchmarks: a UDP flood sender on sendmmsg. */
package io.vplane.perf.uplink;
