package io.vplane.engine.device;

import io.vplane.config.VplaneConfig;

import java.util.List;

/**
 * Opens the devices of one kind (the loopback devices, say); a {@link DeviceKind} brings it.
 * The engine asks it which devices the config declares and opens each; on reload it compares the
 * declared specs with the running ones by name and {@code equals}, opening, closing or reopening.
 */
public interface DeviceProvider
{
    /** Kind name, as in the config's {@code devices} section. */
    String kind();

    List<DeviceSpec> declaredDevices(VplaneConfig config);

    Device open(DeviceSpec spec, DeviceContext context);

    /**
     * A reload: applies in place what the provider's running devices may take without being
     * reopened (for example new access rules). Called before the devices are reconciled.
     */
    default void applyLive(final VplaneConfig config)
    {
    }

    /** The built-in load of {@code vplane tune} for this kind's devices, or null when it has none. */
    default TuneDriver tuneDriver()
    {
        return null;
    }
}
