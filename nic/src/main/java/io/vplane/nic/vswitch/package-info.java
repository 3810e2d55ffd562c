/**
 * The vSwitch stage: ports, the IP-hash MAC translation table, MAC learning per segment, flooding,
 * ARP/NDP consistency and proxy answers, and the internal source and sink ports.
 */
package io.vplane.nic.vswitch;
