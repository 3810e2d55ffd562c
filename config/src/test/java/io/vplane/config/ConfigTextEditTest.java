package io.vplane.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTextEditTest
{
    private static final List<String> NET_N = List.of("pools", "net", "queuesPerWorker");

    @Test
    void shouldChangeOnlyTheValueKeepingCommentsAndLayout()
    {
        final String text = """
            # vplane config
            pools:
              # the net pool
              net:
                workers: 1
                # N: queues per group
                queuesPerWorker: 2   # tuned by hand
                batch: 32

              blk:
                queuesPerWorker: 4
            """;

        assertThat(ConfigTextEdit.setScalar(text, NET_N, "3")).isEqualTo(text.replace("queuesPerWorker: 2   # tuned by hand",
            "queuesPerWorker: 3   # tuned by hand"));
        assertThat(ConfigTextEdit.setScalar(text, List.of("pools", "blk", "queuesPerWorker"), "1"))
            .isEqualTo(text.replace("queuesPerWorker: 4", "queuesPerWorker: 1"));
    }

    @Test
    void shouldNotMistakeAKeyOfAnotherSectionOrADeeperLevel()
    {
        final String text = """
            devices:
              net:
                queuesPerWorker: 9
            pools:
              net:
                io:
                  queuesPerWorker: 8
                queuesPerWorker: 2
            """;

        assertThat(ConfigTextEdit.setScalar(text, NET_N, "4")).isEqualTo(text.replace("queuesPerWorker: 2", "queuesPerWorker: 4"));
    }

    @Test
    void shouldInsertAMissingKeyUnderItsParentWithTheSiblingsIndent()
    {
        final String text = "daemon:\n    runDir: /tmp/x\npools:\n    net:\n        workers: 2\n\n    # blk as default\n";

        assertThat(ConfigTextEdit.setScalar(text, NET_N, "3"))
            .isEqualTo("daemon:\n    runDir: /tmp/x\npools:\n    net:\n        workers: 2\n        queuesPerWorker: 3\n\n    # blk as default\n");
        assertThat(ConfigTextEdit.setScalar("daemon:\n  runDir: /tmp/x\n", NET_N, "3"))
            .isEqualTo("daemon:\n  runDir: /tmp/x\npools:\n  net:\n    queuesPerWorker: 3\n");
        assertThat(ConfigTextEdit.setScalar("pools:\n  blk:\n    workers: 1\n", NET_N, "2"))
            .isEqualTo("pools:\n  blk:\n    workers: 1\n  net:\n    queuesPerWorker: 2\n");
    }

    @Test
    void shouldRefuseAFlowMappingRatherThanRewriteIt()
    {
        assertThatThrownBy(() -> ConfigTextEdit.setScalar("pools:\n  net: {workers: 1, queuesPerWorker: 2}\n", NET_N, "3"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pools.net is written inline");
    }

    @Test
    void shouldKeepWindowsLineEndings()
    {
        assertThat(ConfigTextEdit.setScalar("pools:\r\n  net:\r\n    queuesPerWorker: 2\r\n", NET_N, "1"))
            .isEqualTo("pools:\r\n  net:\r\n    queuesPerWorker: 1\r\n");
    }
}
