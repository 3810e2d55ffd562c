package io.vplane.blockstore.interop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * fio's nbd engine (libnbd): random writes with crc32c verification, queue depth 16; 4 KiB writes
 * through the event loop's buffers, 1 MiB ones received by the blk worker from the socket. The jobs
 * save no verify state ({@code --verify_state_save=0}), so fio leaves no {@code *-verify.state} file
 * in the module directory.
 */
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
            "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--output-format=normal");

        // every block written is read back and checked (a bad one fails the run: verify_fatal)
        assertThat(output).doesNotContain("verify: bad").contains("issued rwts: total=2048,2048,");
        assertThat(output).containsPattern("WRITE: bw=").containsPattern("READ: bw=");
    }

    @Test
    void shouldVerifyLargeWritesReceivedStraightFromTheSocket()
    {
        final String output = Peer.run(90, "fio", "--name=verify-large", "--ioengine=nbd", "--uri=" + fixture.uri("vm"),
            "--rw=randwrite", "--bs=1m", "--iodepth=8", "--size=16m", "--verify=crc32c", "--do_verify=1",
            "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--output-format=normal");

        assertThat(output).doesNotContain("verify: bad").contains("issued rwts: total=16,16,");
        assertThat(output).containsPattern("WRITE: bw=").containsPattern("READ: bw=");
        assertThat(fixture.counter("vplane_nbd_spliced_writes_total")).isPositive();
    }
}
