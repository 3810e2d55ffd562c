package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Arp;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.Ndp;
import io.vplane.nic.frame.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary bytes and mutated valid frames from every side, with proxying on: the switch must never
 * throw and never write outside a frame (each frame sits between guard regions the port checks).
 */
@Timeout(60)
class HostileFramesTest
{
    private static final long LOCAL1 = 0x0200_0000_0001L;
    private static final long GLOBAL = 0x02FF_0000_0001L;
    private static final long REMOTE = 0x0266_0000_0001L;

    @Test
    void shouldNeverThrowNorWriteOutsideFramesWhenFedArbitraryBytes()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final VswitchStage stage = new VswitchStage(
            VswitchConfig.defaults("fuzz").withProxy(true, true), Counters.inMemory(512), System::nanoTime);
        final TestPort vm1 = new TestPort("vm1", PortRole.VM);
        final TestPort vm2 = new TestPort("vm2", PortRole.VM);
        final TestPort uplink = new TestPort("up0", PortRole.UPLINK);
        final List<TestPort> ports = List.of(vm1, vm2, uplink);
        ports.forEach(stage::attach);
        stage.table().put(TranslationEntry.of("10.0.0.1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("fd00::1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));

        final List<byte[]> valid = List.of(
            TestFrames.ethernet(GLOBAL, REMOTE).ipv4Udp("192.168.1.9", "10.0.0.1", 18).bytes(),
            TestFrames.ethernet(GLOBAL, REMOTE, 5, 6).ipv6Udp("fd00::9", "fd00::1", 8).bytes(),
            TestFrames.ethernet(MacAddress.BROADCAST, REMOTE).arp(Arp.OPER_REQUEST, REMOTE, "192.168.1.9", 0, "10.0.0.1").bytes(),
            TestFrames.ethernet(0x3333_FF00_0001L, REMOTE).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::9", "ff02::1:ff00:1",
                "fd00::1", Ndp.OPTION_SOURCE_LINK_LAYER, REMOTE).bytes(),
            TestFrames.ethernet(REMOTE, LOCAL1).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT, "fd00::1", "fd00::9",
                "fd00::1", Ndp.OPTION_TARGET_LINK_LAYER, LOCAL1).bytes());

        long offered = 0;
        for (int round = 0; round < 2000; round++)
        {
            for (final TestPort port : ports)
            {
                for (int i = 0; i < 8; i++)
                {
                    final byte[] frame;
                    if (random.nextBoolean())
                    {
                        frame = new byte[random.nextInt(200)];
                        random.nextBytes(frame);
                        if (frame.length > 14 && random.nextBoolean())
                        {
                            // a likely ether type so deeper parsers are reached
                            final int[] types = {0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8};
                            final int type = types[random.nextInt(types.length)];
                            frame[12] = (byte)(type >>> 8);
                            frame[13] = (byte)type;
                        }
                    }
                    else
                    {
                        final byte[] base = valid.get(random.nextInt(valid.size()));
                        frame = java.util.Arrays.copyOf(base, random.nextInt(base.length + 8));
                        for (int flips = random.nextInt(4); flips > 0 && frame.length > 0; flips--)
                        {
                            frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
                        }
                    }
                    port.offer(frame);
                    offered++;
                }
            }
            stage.doWork(1024);
            ports.forEach(port -> port.sent.clear());
        }

        long received = 0;
        for (final TestPort port : ports)
        {
            assertThat(port.guardViolations).as("guard violations on %s, seed %d", port.name(), seed).isZero();
            received += stage.portStats(port.name()).rxFrames();
        }
        assertThat(received).as("seed %d", seed).isEqualTo(offered);
        stage.close();
    }
}
