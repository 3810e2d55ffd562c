/**
 * Uplinks: ports of the vSwitch towards the physical side (a TAP device today). An uplink queue
 * serving a VM receives straight into that VM's guest receive buffers (buffer-address
 * substitution) and sends straight from guest transmit buffers.
 */
package io.vplane.nic.uplink;
