package io.vplane.engine.binding;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class QueueBindingTest
{
    @ParameterizedTest(name = "M={0} N={1} -> {2} groups, last of {3}")
    @CsvSource({"1,1,1,1", "4,1,4,1", "4,2,2,2", "5,2,3,1", "7,3,3,1", "8,3,3,2", "3,4,1,3", "0,2,0,0", "16,16,1,16", "17,16,2,1"})
    void shouldSplitMQueuesIntoCeilMOverNGroups(final int queues, final int perGroup, final int groups, final int lastSize)
    {
        assertThat(QueueBinding.groupCount(queues, perGroup)).isEqualTo(groups);
        int covered = 0;
        for (int g = 0; g < groups; g++)
        {
            assertThat(QueueBinding.firstQueue(g, perGroup)).isEqualTo(covered);
            covered += QueueBinding.groupSize(g, queues, perGroup);
        }
        assertThat(covered).isEqualTo(queues);
        if (groups > 0)
        {
            assertThat(QueueBinding.groupSize(groups - 1, queues, perGroup)).isEqualTo(lastSize);
        }
    }
}
