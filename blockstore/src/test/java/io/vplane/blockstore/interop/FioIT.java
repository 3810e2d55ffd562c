package io.vplane.blockstore.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


import static org.assertj.core.api.Assertions.assertThat;

/** fio's nbd engine (libnbd): random writes with crc32c verification, queue depth 16. */
@Timeout(120)
class FioIT extends OneDiskPeerTest
{
    private static final long SIZE = 16L << 20;

    @Override
    long diskSize()
    {
        return SIZE;
    }

    @Test
    void shouldVerifyRandomWritesWithCrc32c()
    {
        final String output = Peer.run(90, "fio", "--name=verify", "--ioengine=nbd", "--uri=" + fixture.uri("vm"),
            "--rw=randwrite", "--bs=4k", "--iodepth=16", "--size=8m", "--verify=crc32c", "--do_verify=1",
            "--verify_fatal=1", "--randrepeat=1", "--output-format=normal");

        assertThat(output).doesNotContain("verify: bad").contains("verify:");
        assertThat(output).containsPattern("WRITE: bw=").containsPattern("READ: bw=");
    }
}
