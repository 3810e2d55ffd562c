package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.TestFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class SourceSinkPortTest
{
    private long now;

    @Test
    void shouldEmitTheMixInTurnUpToTheLimit()
    {
        final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("ss"), Counters.inMemory(256), () -> now);
        final byte[] first = TestFrames.ethernet(0x0200_0000_0002L, 0x0200_0000_0001L).ipv4Udp("10.0.0.1", "10.0.0.2", 18).bytes();
        final byte[] second = TestFrames.ethernet(0x0200_0000_0002L, 0x0200_0000_0001L).ipv6Udp("fd00::1", "fd00::2", 18).bytes();
        final SourcePort source = new SourcePort("src", PortRole.VM, 0, List.of(first, second), 0, 100, () -> now, 32);
        final SinkPort sink = new SinkPort("sink", PortRole.VM, 0,
            (frame, length) -> MacAddress.read(frame, Ethernet.DST_OFFSET) == 0x0200_0000_0002L, 4);
        stage.attach(source);
        stage.attach(sink);

        for (int i = 0; i < 10; i++)
        {
            stage.doWork(1024);
        }

        assertThat(source.emitted()).isEqualTo(100);
        assertThat(sink.frames()).isEqualTo(100);
        assertThat(sink.bytes()).isEqualTo(50L * first.length + 50L * second.length);
        assertThat(sink.failed()).isZero();
        assertThat(sink.captured(0)).isEqualTo(second);
        assertThat(sink.captured(1)).isEqualTo(first);
        stage.close();
    }

    @Test
    void shouldKeepToTheRate()
    {
        final byte[] frame = TestFrames.ethernet(MacAddress.BROADCAST, 0x0200_0000_0001L).etherType(0x88B5).padTo(60).bytes();
        final SourcePort source = new SourcePort("src", PortRole.VM, 0, List.of(frame), 1000, 0, () -> now, 32);
        final FrameBurst burst = new FrameBurst(32);

        now = 0;
        assertThat(source.receive(burst)).isEqualTo(1);
        burst.clear();
        now = 10_000_000; // 10 ms at 1000/s: 10 more frames are due
        assertThat(source.receive(burst)).isEqualTo(10);
        burst.clear();
        assertThat(source.receive(burst)).isZero();
    }

    @Test
    void shouldCountFramesThatFailTheCheck()
    {
        final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("ss2"), Counters.inMemory(256), () -> now);
        final byte[] frame = TestFrames.ethernet(MacAddress.BROADCAST, 0x0200_0000_0001L).etherType(0x88B5).padTo(60).bytes();
        stage.attach(new SourcePort("src", PortRole.VM, 0, List.of(frame), 0, 5, () -> now, 32));
        final SinkPort sink = new SinkPort("sink", PortRole.VM, 0, (f, length) -> length == 64, 0);
        stage.attach(sink);

        stage.doWork(1024);

        assertThat(sink.frames()).isEqualTo(5);
        assertThat(sink.failed()).isEqualTo(5);
        stage.close();
    }
}
