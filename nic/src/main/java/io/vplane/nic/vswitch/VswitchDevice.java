package io.vplane.nic.vswitch;

import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceQueue;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.QueueWakeup;

import java.util.List;

/**
 * The switch as an engine device: one queue whose {@code poll(limit)} runs one switch cycle on the
 * net worker that owns it. Ports attach through {@link #stage()} (found by name in {@link VswitchRegistry}).
 */
public final class VswitchDevice implements Device
{
    private final DeviceSpec spec;
    private final VswitchStage stage;
    private final VswitchRegistry switches;
    private final List<SwitchQueue> queues;
    private volatile boolean quiesced;

    /**
     * @param switches where the running switch is found by name while it runs
     */
    public VswitchDevice(final DeviceSpec spec, final VswitchStage stage, final VswitchRegistry switches)
    {
        this.spec = spec;
        this.stage = stage;
        this.switches = switches;
        this.queues = List.of(new SwitchQueue());
    }

    public VswitchStage stage()
    {
        return stage;
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public List<? extends DeviceQueue> queues()
    {
        return queues;
    }

    @Override
    public void start()
    {
        switches.register(spec.name(), stage);
    }

    @Override
    public void quiesce()
    {
        quiesced = true;
    }

    @Override
    public void close()
    {
        switches.unregister(spec.name(), stage);
        stage.close();
    }

    private final class SwitchQueue implements DeviceQueue
    {
        @Override
        public int index()
        {
            return 0;
        }

        @Override
        public int poll(final int limit)
        {
            return quiesced ? 0 : stage.doWork(limit);
        }

        @Override
        public long backlog()
        {
            return 0;
        }

        @Override
        public QueueWakeup wakeup()
        {
            return stage.wakeup();
        }
    }
}
