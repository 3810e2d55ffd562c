package io.vplane.nic.vswitch;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.FrameParser;
import io.vplane.nic.frame.ParsedFrame;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames from two VMs and an uplink into one switch with anti-spoofing and ARP/ND proxying on.
 * Every frame is counted in; each one the parser refuses is counted as a drop for that fault on
 * its port; nothing is written outside a frame (guard regions), and everything the switch sends
 * is a frame its own parser accepts.
 * <pre>
 *   input: records of  0 port (mod 3) | 1..2 frame length (LE, cut to what is left) | frame
 * </pre>
 */
class VswitchStageFuzzTest
{
    private static final int RECORD_HEADER_BYTES = 3;
    private static final int MAX_ROUNDS = 64;

    @FuzzTest(maxDuration = "30s")
    void shouldCountEveryFrameAndSendOnlyWellFormedOnes(final byte[] input)
    {
        final VswitchSettings settings = VswitchSettings.defaults("fuzz").withProxy(true, true);
        final VswitchStage stage = new VswitchStage(settings, Counters.inMemory(256), System::nanoTime);
        final List<TestPort> ports = List.of(
            new TestPort("vm1", PortRole.VM), new TestPort("vm2", PortRole.VM), new TestPort("up0", PortRole.UPLINK));
        ports.forEach(stage::attach);
        stage.table().put(TranslationEntry.of("10.0.0.1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("fd00::1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:02", "vm2"));

        final FrameParser parser = new FrameParser(settings.maxVlanTags(), settings.maxFrameBytes());
        final ParsedFrame parsed = new ParsedFrame();
        final long[][] expectedDrops = new long[ports.size()][DropReason.values().length];
        final int[] offered = new int[ports.size()];
        int at = 0;
        while (at + RECORD_HEADER_BYTES <= input.length)
        {
            final int port = (input[at] & 0xFF) % ports.size();
            final int length = Math.min((input[at + 1] & 0xFF) | (input[at + 2] & 0xFF) << 8, input.length - at - RECORD_HEADER_BYTES);
            final byte[] frame = Arrays.copyOfRange(input, at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length);
            at += RECORD_HEADER_BYTES + length;
            final int fault = parser.parse(new UnsafeBuffer(frame), frame.length, parsed);
            if (fault != FrameParser.OK)
            {
                expectedDrops[port][DropReason.ofParseResult(fault).ordinal()]++;
            }
            ports.get(port).offer(frame);
            offered[port]++;
        }

        drain(stage);

        for (int p = 0; p < ports.size(); p++)
        {
            final TestPort port = ports.get(p);
            final VswitchStage.PortStats stats = stage.portStats(port.name());
            assertThat(port.guardViolations).as("writes outside frames on %s", port.name()).isZero();
            assertThat(stats.rxFrames()).as("frames received on %s", port.name()).isEqualTo(offered[p]);
            for (final DropReason reason : DropReason.values())
            {
                if (reason.ordinal() <= DropReason.TRUNCATED_NDP.ordinal())
                {
                    assertThat(stats.drops(reason)).as("%s drops on %s", reason.label(), port.name())
                        .isEqualTo(expectedDrops[p][reason.ordinal()]);
                }
            }
            for (final byte[] sent : port.sent)
            {
                assertThat(parser.parse(new UnsafeBuffer(sent), sent.length, parsed))
                    .as("a frame sent on %s parses", port.name()).isEqualTo(FrameParser.OK);
            }
        }
        stage.close();
    }

    /** Bounded: an input holds far fewer frames than {@value #MAX_ROUNDS} bursts from every port. */
    private static void drain(final VswitchStage stage)
    {
        int rounds = 0;
        while (rounds++ < MAX_ROUNDS && stage.doWork(1024) > 0)
        {
            Thread.onSpinWait();
        }
    }
}
