package io.vplane.config;

/**
 * One setting that differs between the running configuration and a new one.
 *
 * @param path     dotted YAML path, e.g. {@code pools.net.batch} or {@code devices.loopback.lo1}
 * @param oldValue running value as written in YAML; {@code absent} for a device being added
 * @param newValue new value as written in YAML; {@code absent} for a device being removed
 * @param live     true when a reload applies it without a restart
 */
public record SettingChange(String path, String oldValue, String newValue, boolean live)
{
    @Override
    public String toString()
    {
        return path + ": " + oldValue + " -> " + newValue + (live ? " (live)" : " (needs restart)");
    }
}
