package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.TestFrames;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table flips between two versions while frames flow: in version A the IPs belong to port a
 * with local MACs 02:aa:..., in version B to port b with 02:bb:.... A frame forwarded by a mix would
 * reach one port with the other version's MAC, which the sinks' checks catch.
 */
@Timeout(60)
class TableChangeUnderLoadTest
{
    private static final long GLOBAL = 0x02FF_0000_0001L;
    private static final int IPS = 64;

    @Test
    void shouldForwardEveryFrameByEitherTheOldOrTheNewTableNeverAMix() throws Exception
    {
        final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("flip"), Counters.inMemory(512), System::nanoTime);
        final List<byte[]> mix = new ArrayList<>();
        for (int i = 0; i < IPS; i++)
        {
            mix.add(TestFrames.ethernet(GLOBAL, 0x0266_0000_0001L).ipv4Udp("192.168.1.9", "10.0.1." + i, 18).bytes());
        }
        final SourcePort source = new SourcePort("src", PortRole.UPLINK, 0, mix, 0, 400_000, System::nanoTime, 32);
        final SinkPort a = new SinkPort("a", PortRole.VM, 0, (frame, length) ->
            (MacAddress.read(frame, Ethernet.DST_OFFSET) >>> 32) == 0x02AA, 0);
        final SinkPort b = new SinkPort("b", PortRole.VM, 0, (frame, length) ->
            (MacAddress.read(frame, Ethernet.DST_OFFSET) >>> 32) == 0x02BB, 0);
        stage.attach(source);
        stage.attach(a);
        stage.attach(b);
        final List<TranslationEntry> versionA = version("a", 0x02AA_0000_0000L);
        final List<TranslationEntry> versionB = version("b", 0x02BB_0000_0000L);
        stage.table().replaceAll(versionA);

        final AtomicBoolean done = new AtomicBoolean();
        final Thread switchThread = new Thread(() ->
        {
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 10, 1000, 100_000);
            while (source.emitted() < 400_000)
            {
                idle.idle(stage.doWork(256));
            }
            stage.doWork(256);
            done.set(true);
        }, "vswitch-flip");
        switchThread.start();
        int flips = 0;
        while (!done.get())
        {
            stage.table().replaceAll((flips & 1) == 0 ? versionB : versionA);
            flips++;
            Thread.sleep(0, 200_000);
        }
        switchThread.join();

        assertThat(flips).isGreaterThan(2);
        assertThat(a.failed()).isZero();
        assertThat(b.failed()).isZero();
        assertThat(a.frames()).isPositive();
        assertThat(b.frames()).isPositive();
        assertThat(a.frames() + b.frames()).isEqualTo(source.emitted());
        stage.close();
    }

    private static List<TranslationEntry> version(final String port, final long macBase)
    {
        final List<TranslationEntry> entries = new ArrayList<>();
        for (int i = 0; i < IPS; i++)
        {
            final long[] key = io.vplane.nic.frame.IpAddressKey.parse("10.0.1." + i);
            entries.add(new TranslationEntry(key[0], key[1], macBase + i + 1, GLOBAL, port));
        }
        return entries;
    }
}
