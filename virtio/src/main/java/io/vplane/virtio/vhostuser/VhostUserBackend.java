package io.vplane.virtio.vhostuser;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;

/**
 * What every engine device served over vhost-user shares: its spec, settings and engine queues,
 * the virtio features and config space it offers, the features the frontend acked, and the
 * {@link VhostUserServer} on its socket, started once after the device's own start step. A
 * device adds how rings reach its queues ({@link #startQueue}, {@link #stopQueue}) and, in
 * {@link #close()}, what it frees around closing the server.
 *
 * @param <S> the device's settings (its entry of the config)
 * @param <Q> its engine queues
 */
public abstract class VhostUserBackend<S, Q extends DeviceQueue> implements Device, VhostUserDevice
{
    private final DeviceSpec spec;
    private final S settings;
    private final List<Q> queues;
    private final long features;
    private final byte[] configSpace;
    private final VhostUserServer server;
    private volatile long ackedFeatures;
    private boolean started;

    /**
     * @param features    virtio feature bits offered in GET_FEATURES
     * @param configSpace the device config space (GET_CONFIG); handed out as a copy
     * @param socket      where the vhost-user channel is served
     */
    protected VhostUserBackend(
        final DeviceSpec spec,
        final S settings,
        final List<Q> queues,
        final long features,
        final byte[] configSpace,
        final VhostUserSocket socket,
        final ErrorLog errors,
        final AtomicCounter protocolErrors,
        final AtomicCounter connections)
    {
        this.spec = spec;
        this.settings = settings;
        this.queues = List.copyOf(queues);
        this.features = features;
        this.configSpace = configSpace;
        this.server = new VhostUserServer(spec.name(), socket, this, errors, protocolErrors, connections);
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    public S settings()
    {
        return settings;
    }

    @Override
    public List<Q> queues()
    {
        return queues;
    }

    /** Starts serving the socket, once, after {@link #beforeServing()}. */
    @Override
    public final synchronized void start()
    {
        if (!started)
        {
            started = true;
            beforeServing();
            server.start();
        }
    }

    /** What the device opens before a frontend may reach it (on {@link #start()}, once). */
    protected void beforeServing()
    {
    }

    /** Closes the server: the session stops every ring and releases its memory and fds. */
    @Override
    public synchronized void close()
    {
        server.close();
    }

    /** True while a frontend is connected. */
    public boolean isConnected()
    {
        return server.isConnected();
    }

    @Override
    public long features()
    {
        return features;
    }

    @Override
    public byte[] configSpace()
    {
        return configSpace.clone();
    }

    @Override
    public void featuresAcked(final long acked)
    {
        ackedFeatures = acked;
    }

    /** True when the frontend acked virtio feature {@code bit} (SET_FEATURES). */
    protected final boolean acked(final int bit)
    {
        return (ackedFeatures & 1L << bit) != 0;
    }
}
