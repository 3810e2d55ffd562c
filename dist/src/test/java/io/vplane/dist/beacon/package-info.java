/**
 * A throw-away device kind that exists only in this test source set, to show that a kind plugs in
 * through the device SPI alone: config section, devices, counters, an API route and a ctl command.
 */
package io.vplane.dist.beacon;
