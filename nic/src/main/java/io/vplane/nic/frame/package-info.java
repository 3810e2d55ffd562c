/**
 * Flyweights with named offsets over Ethernet frames (802.1Q tags, IPv4, IPv6, ARP, NDP), a bounded
 * parser that never reads outside the frame, and the checksum arithmetic used when rewriting them.
 */
package io.vplane.nic.frame;
