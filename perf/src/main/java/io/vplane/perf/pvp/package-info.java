/**
 * The PVP loop (physical–virtual–physical, here VM–switch–VM): one testpmd holding two virtio-user
 * ports forwards in {@code io} mode while the switch under test carries the frames between them;
 * vplane's vSwitch next to DPDK's vhost forwarding and Open vSwitch with DPDK, in one run.
 */
package io.vplane.perf.pvp;
