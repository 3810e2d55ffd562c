package io.vplane.blockstore.device;

import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.nbd.NbdTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that try to hold the server rather than use it: an endless handshake, a flood of options,
 * too many connections, and a client that sends requests and never reads a reply. Each is cut off
 * at its limit with a counter, and a well-behaved client still gets served.
 */
@Timeout(120)
class HostileClientTest
{
    private static final long SIZE = 64L << 20;
    private static final NbdLimits TIGHT = new NbdLimits(500, 16, 64 * 1024, 64, 3, 2, 8L << 20, 1 << 20, 2_000, 16L << 20);

    @TempDir
    Path runDir;
    private NbdFixture fixture;

    @AfterEach
    void stop()
    {
        if (null != fixture)
        {
            fixture.close();
        }
    }

    @Test
    void shouldDropAClientThatNeverFinishesItsHandshake() throws IOException
    {
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE, TIGHT);
        try (NbdTestClient idle = NbdTestClient.handshake(fixture.port()))
        {
            final long start = System.nanoTime();
            assertThat(idle.isClosedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        }
        assertThat(errors("handshake-timeout")).isEqualTo(1);
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", true))
        {
            assertThat(client.exportSize).isEqualTo(SIZE);
        }
    }

    @Test
    void shouldEndAHandshakeThatSendsMoreOptionsThanTheLimit() throws IOException
    {
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE);
        try (NbdTestClient flood = NbdTestClient.handshake(fixture.port()))
        {
            int answered = 0;
            try
            {
                for (int i = 0; i < 10 * NbdLimits.DEFAULTS.maxOptions(); i++)
                {
                    flood.option(0x7777, new byte[0]); // unknown: answered with ERR_UNSUP
                    flood.readOptionReply();
                    answered++;
                }
            }
            catch (final IOException closed)
            {
                // The server ended the handshake.
            }
            assertThat(answered).isEqualTo(NbdLimits.DEFAULTS.maxOptions());
        }
        assertThat(errors("too-many-options")).isEqualTo(1);
    }

    @Test
    void shouldRefuseConnectionsPastThePerClientAndPerExportLimits() throws IOException
    {
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE, TIGHT);
        final List<NbdTestClient> open = new ArrayList<>();
        try
        {
            open.add(NbdTestClient.open(fixture.port(), "d0", true));
            open.add(NbdTestClient.open(fixture.port(), "d0", true));
            try (NbdTestClient third = NbdTestClient.handshake(fixture.port()))
            {
                // Two on the export already (its limit): GO is refused with a reason, the handshake goes on.
                final NbdTestClient.OptionReply refused = third.go("d0").getLast();
                assertThat(refused.type()).isEqualTo(NbdProtocol.REP_ERR_POLICY);
                assertThat(refused.text()).contains("too many connections");
                // Three from this address now (its limit): a fourth is closed before the greeting.
                try (NbdTestClient fourth = new NbdTestClient(fixture.port()))
                {
                    assertThat(fourth.isClosedByServer()).isTrue();
                }
            }
        }
        finally
        {
            for (final NbdTestClient client : open)
            {
                client.close();
            }
        }
        assertThat(errors("export-full")).isEqualTo(1);
        assertThat(errors("connection-refused")).isEqualTo(1);
    }

    @Test
    void shouldRefuseASecondConnectionWhenTheConfigAllowsOnePerClient() throws IOException
    {
        fixture = new NbdFixture(runDir, """
              limits:
                maxConnectionsPerClient: 1
              tenants:
                - name: local
                  allow: [127.0.0.0/8, "::1/128"]
              disks:
                - name: d0
                  image: d0.img
                  sizeBytes: %d
                  tenant: local
            """.formatted(SIZE));
        try (NbdTestClient first = NbdTestClient.open(fixture.port(), "d0", true);
             NbdTestClient second = new NbdTestClient(fixture.port()))
        {
            assertThat(first.exportSize).isEqualTo(SIZE);
            assertThat(second.isClosedByServer()).isTrue();
        }
        assertThat(errors("connection-refused")).isEqualTo(1);
    }

    /**
     * Without back-pressure the server keeps reading READs and queueing their replies for a peer
     * that reads none: every request runs and its reply waits in memory. With it, reading stops at
     * the high-water mark, so only about (high-water + socket buffers) / reply size requests run;
     * and the peer is dropped when it stays so past the limit.
     */
    @Test
    void shouldStopReadingAndThenDropAClientThatReadsNoReplies() throws Exception
    {
        fixture = NbdFixture.oneDisk(runDir, "d0", SIZE, TIGHT);
        final int replyBytes = 256 * 1024;
        final int requests = 4096; // 1 GiB of replies
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            final OutputStream out = client.out;
            final Thread sender = Thread.ofVirtual().start(() ->
            {
                try
                {
                    for (int i = 0; i < requests; i++)
                    {
                        out.write(NbdTestClient.frame(0, NbdProtocol.CMD_READ, i, (long)i % 256 * replyBytes, replyBytes,
                            null));
                    }
                    out.flush();
                }
                catch (final IOException dropped)
                {
                    // The server dropped us: expected.
                }
            });
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            final long executed = fixture.counter("vplane_nbd_requests_total");

            assertThat(executed).as("requests run for a peer that reads nothing").isLessThan(requests / 4);
            // Still reading nothing past the limit (2 s): dropped. Reading now only drains what the kernels hold.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TIGHT.unwritableTimeoutMs() + 1_500));
            assertThat(errors("unread-replies")).isEqualTo(1);
            assertThat(client.isClosedByServer()).isTrue();
            sender.join(TimeUnit.SECONDS.toMillis(30));
        }
        try (NbdTestClient client = NbdTestClient.open(fixture.port(), "d0", false))
        {
            client.request(0, NbdProtocol.CMD_READ, 1, 0, 512, null);
            assertThat(client.readSimpleReply(1)).isZero();
            assertThat(client.in.readNBytes(512)).hasSize(512);
        }
    }

    private long errors(final String kind)
    {
        return fixture.counter("vplane_errors_total{component=\"nbd\",error=\"" + kind + "\"");
    }
}
