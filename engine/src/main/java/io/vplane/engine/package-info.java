/**
 * The vplane engine: worker pools per device type, the devices found through the SPI, and the
 * binding of their queues to workers.
 */
package io.vplane.engine;
