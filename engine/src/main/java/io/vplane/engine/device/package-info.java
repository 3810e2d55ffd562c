/**
 * The device SPI: how net, blk and vsock devices plug into the engine. A {@link io.vplane.engine.device.DeviceKind}
 * (found with ServiceLoader) brings its config sections, providers, API routes and CLI commands; a
 * provider declares devices from the config; a device offers queues; the engine binds them.
 */
package io.vplane.engine.device;
