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
 * <p>
 * One switch serves every input (building one allocates counters and an epoll set, which would
 * cap fuzzing at tens of inputs a second); the checks compare counters before and after an input,
 * so what the switch learned from earlier inputs changes where frames go, not what is checked.
 * <pre>
 *   input: records of  0 port (mod 3) | 1..2 frame length (LE, cut to what is left) | frame
 * </pre>
 */
class VswitchStageFuzzTest
{
    private static final int RECORD_HEADER_BYTES = 3;
    private static final int MAX_ROUNDS = 64;
    private static final VswitchConfig SETTINGS = VswitchConfig.defaults("fuzz").withProxy(true, true);
    private static final List<TestPort> PORTS = List.of(
        new TestPort("vm1", PortRole.VM), new TestPort("vm2", PortRole.VM), new TestPort("up0", PortRole.UPLINK));
    private static final VswitchStage STAGE = newStage();

    private final FrameParser parser = new FrameParser(SETTINGS.maxVlanTags(), SETTINGS.maxFrameBytes());
    private final ParsedFrame parsed = new ParsedFrame();

    @FuzzTest(maxDuration = "30s")
    void shouldCountEveryFrameAndSendOnlyWellFormedOnes(final byte[] input)
    {
        final long[][] expected = new long[PORTS.size()][];
        for (int p = 0; p < PORTS.size(); p++)
        {
            final TestPort port = PORTS.get(p);
            port.sent.clear();
            port.guardViolations = 0;
            final VswitchStage.PortStats before = STAGE.portStats(port.name());
            expected[p] = Arrays.copyOf(before.drops(), before.drops().length + 1);
            expected[p][before.drops().length] = before.rxFrames();
        }
        int at = 0;
        while (at + RECORD_HEADER_BYTES <= input.length)
        {
            final int p = (input[at] & 0xFF) % PORTS.size();
            final int length = Math.min((input[at + 1] & 0xFF) | (input[at + 2] & 0xFF) << 8, input.length - at - RECORD_HEADER_BYTES);
            final byte[] frame = Arrays.copyOfRange(input, at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length);
            at += RECORD_HEADER_BYTES + length;
            final int fault = parser.parse(new UnsafeBuffer(frame), frame.length, parsed);
            if (fault != FrameParser.OK)
            {
                expected[p][DropReason.ofParseResult(fault).ordinal()]++;
            }
            expected[p][expected[p].length - 1]++;
            PORTS.get(p).offer(frame);
        }

        drain();

        for (int p = 0; p < PORTS.size(); p++)
        {
            assertPortCountedAndSentWellFormedFrames(PORTS.get(p), expected[p]);
        }
    }

    private void assertPortCountedAndSentWellFormedFrames(final TestPort port, final long[] expected)
    {
        final VswitchStage.PortStats stats = STAGE.portStats(port.name());
        assertThat(port.guardViolations).as("writes outside frames on %s", port.name()).isZero();
        assertThat(stats.rxFrames()).as("frames received on %s", port.name()).isEqualTo(expected[expected.length - 1]);
        for (final DropReason reason : DropReason.values())
        {
            if (reason.ordinal() <= DropReason.TRUNCATED_NDP.ordinal())
            {
                assertThat(stats.drops(reason)).as("%s drops on %s", reason.label(), port.name())
                    .isEqualTo(expected[reason.ordinal()]);
            }
        }
        for (final byte[] sent : port.sent)
        {
            assertThat(sent.length).isLessThanOrEqualTo(SETTINGS.maxFrameBytes());
            assertThat(parser.parse(new UnsafeBuffer(sent), sent.length, parsed))
                .as("a frame sent on %s parses", port.name()).isEqualTo(FrameParser.OK);
        }
    }

    /** Bounded: an input holds far fewer frames than {@value #MAX_ROUNDS} bursts from every port. */
    private static void drain()
    {
        int rounds = 0;
        while (rounds++ < MAX_ROUNDS && STAGE.doWork(1024) > 0)
        {
            Thread.onSpinWait();
        }
    }

    private static VswitchStage newStage()
    {
        final VswitchStage stage = new VswitchStage(SETTINGS, Counters.inMemory(256), System::nanoTime);
        PORTS.forEach(stage::attach);
        stage.table().put(TranslationEntry.of("10.0.0.1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("fd00::1", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:02", "vm2"));
        return stage;
    }
}
