package io.vplane.engine.loopback;

import io.vplane.engine.counters.EngineMetrics;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;

/** A loopback device: its queues, and the generator thread that feeds them until quiesced. */
public final class LoopbackDevice implements Device
{
    private static final long GENERATOR_IDLE_NS = 200_000;

    private final DeviceSpec spec;
    private final List<LoopbackQueue> queues;
    private final AgentRunner generatorRunner;
    private boolean started;

    LoopbackDevice(final DeviceSpec spec, final int queueCount, final long ratePerSec, final long requestCostNs, final DeviceContext context)
    {
        this.spec = spec;
        final List<LoopbackQueue> list = new ArrayList<>(queueCount);
        for (int i = 0; i < queueCount; i++)
        {
            final String index = Integer.toString(i);
            list.add(new LoopbackQueue(spec.name(), i, context.pool().ringSize(), requestCostNs,
                context.counters().counter(EngineMetrics.LOOPBACK_GENERATED_TOTAL, "device", spec.name(), "queue", index),
                context.counters().counter(EngineMetrics.LOOPBACK_ORDER_ERRORS_TOTAL, "device", spec.name(), "queue", index),
                context.errors()));
        }
        this.queues = List.copyOf(list);
        this.generatorRunner = new AgentRunner(new SleepingIdleStrategy(GENERATOR_IDLE_NS),
            ex -> context.errors().record("loopback", "generator", spec.name() + ": " + ex), null,
            new LoopbackGenerator(spec.name(), queues, ratePerSec, SystemNanoClock.INSTANCE));
    }

    @Override
    public DeviceSpec spec()
    {
        return spec;
    }

    @Override
    public List<LoopbackQueue> queues()
    {
        return queues;
    }

    @Override
    public synchronized void start()
    {
        if (!started)
        {
            started = true;
            AgentRunner.startOnThread(generatorRunner, task -> new Thread(task, "vplane-loopback-" + spec.name()));
        }
    }

    @Override
    public void quiesce()
    {
        generatorRunner.close();
    }

    @Override
    public void close()
    {
        generatorRunner.close();
        queues.forEach(LoopbackQueue::close);
    }
}
