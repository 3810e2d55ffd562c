package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Arp;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.Ndp;
import io.vplane.nic.frame.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The data path allocates nothing per frame: measured with the thread's allocation counter. */
@Timeout(60)
class NoAllocationTest
{
    private long now = 1;

    @Test
    void shouldAllocateNothingWhileSwitching()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final VswitchStage stage = new VswitchStage(
            VswitchConfig.defaults("alloc").withProxy(true, true), Counters.inMemory(256), () -> now);
        final long local = 0x0200_0000_0001L;
        final long global = 0x02FF_0000_0001L;
        final long remote = 0x0266_0000_0001L;
        final List<byte[]> fromUplink = List.of(
            TestFrames.ethernet(global, remote).ipv4Udp("192.168.1.9", "10.0.0.1", 18).bytes(),
            TestFrames.ethernet(global, remote, 7).ipv6Udp("fd00::9", "fd00::1", 10).bytes(),
            TestFrames.ethernet(MacAddress.BROADCAST, remote).arp(Arp.OPER_REQUEST, remote, "192.168.1.9", 0, "10.0.0.1").bytes(),
            TestFrames.ethernet(0x3333_FF00_0001L, remote).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::9", "ff02::1:ff00:1",
                "fd00::1", Ndp.OPTION_SOURCE_LINK_LAYER, remote).bytes(),
            TestFrames.ethernet(global, remote).ipv4Udp("192.168.1.9", "10.0.0.99", 18).bytes(),
            new byte[10]);
        final List<byte[]> fromVm = List.of(
            TestFrames.ethernet(remote, local).ipv4Udp("10.0.0.1", "192.168.1.9", 18).bytes(),
            TestFrames.ethernet(remote, local).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT, "fd00::1", "fd00::9", "fd00::1",
                Ndp.OPTION_TARGET_LINK_LAYER, local).bytes(),
            TestFrames.ethernet(MacAddress.BROADCAST, local).etherType(0x88B5).padTo(60).bytes());
        stage.attach(new SourcePort("up0", PortRole.UPLINK, 0, fromUplink, 0, 0, () -> now, 32));
        stage.attach(new SourcePort("vm1", PortRole.VM, 0, fromVm, 0, 0, () -> now, 32));
        stage.attach(new SinkPort("vm2", PortRole.VM, 0, (frame, length) -> length > 0, 0));
        stage.table().put(TranslationEntry.of("10.0.0.1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("fd00::1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));

        for (int i = 0; i < 20_000; i++)
        {
            stage.doWork(64);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        long frames = 0;
        for (int i = 0; i < 20_000; i++)
        {
            now += 1000;
            frames += stage.doWork(64);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(frames).isEqualTo(20_000L * 64);
        assertThat(allocated).as("bytes allocated for %d frames", frames).isLessThan(1024);
        stage.close();
    }
}
