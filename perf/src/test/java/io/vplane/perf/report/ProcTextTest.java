package io.vplane.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcTextTest
{
    private static final String CPUINFO = """
        processor	: 0
        vendor_id	: GenuineIntel
        cpu family	: 6
        model		: 85
        model name	: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz
        siblings	: 2

        processor	: 1
        model name	: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz
        """;

    @Test
    void shouldReadTheFirstModelName()
    {
        assertThat(ProcText.cpuModel(CPUINFO)).isEqualTo("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz");
        assertThat(ProcText.cpuModel("processor : 0\nHardware : BCM2835\n")).isEqualTo("BCM2835");
        assertThat(ProcText.cpuModel("processor : 0\n")).isEqualTo("unknown");
    }

    @Test
    void shouldGroupSmtSiblingsOncePerCoreInCpuOrder()
    {
        // 4 logical CPUs on 2 cores, the kernel's two list forms
        assertThat(ProcText.smtSiblings(Map.of(0, "0,2\n", 1, "1,3\n", 2, "0,2\n", 3, "1,3\n"))).containsExactly("0,2", "1,3");
        assertThat(ProcText.smtSiblings(Map.of(1, "0-1\n", 0, "0-1\n"))).containsExactly("0,1");
    }

    @Test
    void shouldFindNoSiblingsWhenEveryCpuIsAloneOnItsCore()
    {
        assertThat(ProcText.smtSiblings(Map.of(0, "0\n", 1, "1\n"))).isEmpty();
    }

    @Test
    void shouldExpandCpuLists()
    {
        assertThat(ProcText.cpuList("0-2,5,7-8")).containsExactly(0, 1, 2, 5, 7, 8);
        assertThat(ProcText.cpuList("")).isEmpty();
    }

    @Test
    void shouldReadTheThreeLoadAverages()
    {
        assertThat(ProcText.loadAverage("4.61 3.02 2.50 3/812 123456\n")).containsExactly(4.61, 3.02, 2.50);
        assertThatThrownBy(() -> ProcText.loadAverage("4.61")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReadPidCommandAndCpuTicksOfAStatLineWhoseCommandHoldsSpacesAndParentheses()
    {
        final String stat = "4242 (tmux: server (1)) S 1 4242 4242 0 -1 4194560 2339 0 0 0 1200 34 0 0 20 0 1 0 1234 1 2 3";
        final ProcText.ProcStat parsed = ProcText.procStat(stat);
        assertThat(parsed.pid()).isEqualTo(4242);
        assertThat(parsed.comm()).isEqualTo("tmux: server (1)");
        assertThat(parsed.cpuTicks()).isEqualTo(1234);
    }

    @Test
    void shouldRefuseAStatLineWithoutTheCpuTimes()
    {
        assertThatThrownBy(() -> ProcText.procStat("12 (sh) S 1 2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldJoinTheArgumentsOfACommandLine()
    {
        assertThat(ProcText.cmdline("dpdk-testpmd\0-l\0000,1\0")).isEqualTo("dpdk-testpmd -l 0,1");
    }

    @Test
    void shouldTakeTestpmdOvsAndVplaneWorkersForPollersButNotAnEditor()
    {
        assertThat(LeftoverPollers.isPoller("dpdk-testpmd", "dpdk-testpmd -l 0,1", List.of())).isTrue();
        assertThat(LeftoverPollers.isPoller("ovs-vswitchd-dp", "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk", List.of())).isTrue();
        assertThat(LeftoverPollers.isPoller("java", "java -cp lib/* io.vplane.engine.cli.VplaneCli run -c x.yaml", List.of())).isTrue();
        assertThat(LeftoverPollers.isPoller("java", "java -jar surefirebooter.jar", List.of("main", "vplane-net-0"))).isTrue();
        assertThat(LeftoverPollers.isPoller("java", "java -cp lib/* io.vplane.engine.cli.VplaneCli stat", List.of("main"))).isFalse();
        assertThat(LeftoverPollers.isPoller("vim", "vim fio.txt", List.of())).isFalse();
    }

    @Test
    void shouldShortenALongCommandToItsProgramAndItsTail()
    {
        final String java = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java " + "--add-opens=x ".repeat(20) + "-cp lib/* io.vplane.engine.cli.VplaneCli run";
        final String shown = HostProbe.abbreviate(java);
        assertThat(shown).startsWith("java …").endsWith("io.vplane.engine.cli.VplaneCli run").hasSizeLessThanOrEqualTo(120);
        assertThat(HostProbe.abbreviate("fio --name=x")).isEqualTo("fio --name=x");
    }
}
