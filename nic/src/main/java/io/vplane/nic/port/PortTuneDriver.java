package io.vplane.nic.port;

import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.device.RateBudget;
import io.vplane.engine.device.RequestLatency;
import io.vplane.engine.device.TuneDriver;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The built-in load of {@code vplane tune --type net}: a temporary vhost-user port {@code tune-net}
 * ({@code guestTx: loopback}) with a guest in the daemon's own process ({@link TuneGuest}) that
 * sends 60-byte frames on every transmit ring; the port's workers take each frame from guest
 * memory and write it into the same pair's receive ring, where the guest finds it and records its
 * latency from the send time it carries. So the candidates are measured on the real vhost-user
 * path (virtqueues in shared memory, kicks, used rings, receive-buffer writes), not a synthetic queue.
 */
final class PortTuneDriver implements TuneDriver
{
    static final String PORT = "tune-net";
    /** Frames per second offered per net worker unless the run asks for another rate (each crosses the port twice: guest to port, port to guest). */
    static final long FRAMES_PER_WORKER = 50_000;
    private static final int BURST = 256;
    /** The guest's sleep when it has nothing to do: it reaps returned frames at least this often (timer slack adds to it). */
    private static final long IDLE_NS = 20_000;
    private static final Logger LOG = LoggerFactory.getLogger(PortTuneDriver.class);

    @Override
    public String type()
    {
        return VhostUserPortProvider.TYPE;
    }

    @Override
    public long defaultRatePerWorker()
    {
        return FRAMES_PER_WORKER;
    }

    @Override
    public Run start(final Context context, final int queues, final int workers, final long ratePerWorker)
    {
        // two engine queues per pair (receive and transmit), at most the 16 pairs a port may have
        final int pairs = Math.clamp((queues + 1) / 2, 1, 16);
        final Path socket = ConfinedDirectory.sockets(context.config()).resolve(PORT + ".sock");
        context.addDevice(new DeviceSpec(VhostUserPortProvider.KIND, PORT, VhostUserPortProvider.TYPE,
            new VhostUserPortConfig(PORT, socket.toString(), VhostUserPortConfig.Mode.SERVER, pairs, VhostUserSection.MAC,
                VhostUserPortConfig.GuestTx.LOOPBACK, VhostUserPortConfig.GuestRx.IDLE, TuneGuest.FRAME_BYTES, VhostUserSection.VSWITCH)));
        final TuneGuest guest;
        try
        {
            guest = TuneGuest.connect(socket, pairs);
        }
        catch (final RuntimeException ex)
        {
            context.removeDevice(PORT);
            LOG.warn("tune: the built-in guest could not attach to {}: {}; falling back to a loopback device", socket, ex.getMessage());
            return null;
        }
        final long rate = ratePerWorker * workers;
        final AgentRunner runner = new AgentRunner(new SleepingIdleStrategy(IDLE_NS),
            ex -> LOG.warn("tune: built-in guest: {}", ex.toString()), null, new GuestLoad(guest, rate));
        AgentRunner.startOnThread(runner, task -> new Thread(task, "vplane-tune-guest"));
        final String description = String.format(Locale.ROOT,
            "built-in guest on vhost-user port %s (%d queue pairs, guestTx loopback): %,d frames/s of %d bytes, " +
                "latency from send to the guest's receive", PORT, pairs, rate, TuneGuest.FRAME_BYTES);
        return new Run()
        {
            @Override
            public String description()
            {
                return description;
            }

            @Override
            public List<RequestLatency> latencies()
            {
                return List.of(guest.latency());
            }

            @Override
            public void close()
            {
                runner.close();
                guest.close();
                context.removeDevice(PORT);
            }
        };
    }

    /** Sends at the rate and reaps what came back, on the guest's own thread. */
    private static final class GuestLoad implements Agent
    {
        private final TuneGuest guest;
        private final RateBudget budget;

        GuestLoad(final TuneGuest guest, final long ratePerSec)
        {
            this.guest = guest;
            this.budget = new RateBudget(ratePerSec, BURST);
        }

        @Override
        public void onStart()
        {
            budget.start(System.nanoTime());
        }

        @Override
        public int doWork()
        {
            final long now = System.nanoTime();
            final int sent = guest.send(budget.available(now), now);
            budget.spent(sent);
            return sent + guest.reap(System.nanoTime());
        }

        @Override
        public String roleName()
        {
            return "tune-guest";
        }
    }
}
