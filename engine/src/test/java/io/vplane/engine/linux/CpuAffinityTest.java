package io.vplane.engine.linux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuAffinityTest
{
    @Test
    void shouldPinTheCallingThreadToTheRequestedCpu() throws Exception
    {
        final int[] result = new int[2];
        final Thread thread = new Thread(() ->
        {
            result[0] = CpuAffinity.pinCurrentThread(0);
            result[1] = CpuAffinity.currentCpu();
        });
        thread.start();
        thread.join();

        assertThat(result[0]).isZero();
        assertThat(result[1]).isZero();
    }

    @Test
    void shouldReportTheErrnoWhenTheCpuDoesNotExist() throws Exception
    {
        final int[] errno = new int[1];
        final Thread thread = new Thread(() -> errno[0] = CpuAffinity.pinCurrentThread(CpuAffinity.MAX_CPU));
        thread.start();
        thread.join();

        assertThat(errno[0]).isEqualTo(22); // EINVAL: not in the set of CPUs this machine has
    }
}
