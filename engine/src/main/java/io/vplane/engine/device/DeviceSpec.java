package io.vplane.engine.device;

/**
 * A device as the config declares it.
 *
 * @param kind     the provider's kind
 * @param name     unique device name
 * @param type     device type whose worker pool serves its queues
 * @param settings the provider's own typed settings (a config record); compared with {@code equals} on reload
 */
public record DeviceSpec(String kind, String name, String type, Object settings)
{
}
