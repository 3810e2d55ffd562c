/**
 * The device SPI: how net, blk and vsock devices plug into the engine. A provider (found with
 * ServiceLoader) declares devices from the config; a device offers queues; the engine binds them.
 */
package io.vplane.engine.device;
