package io.vplane.blockstore.disk;

import io.vplane.blockstore.nbd.NbdConnection;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DiskTest
{
    private final BlockQueue q0 = new AcceptingSink();
    private final BlockQueue q1 = new AcceptingSink();
    private final Disk disk = new Disk("d", "", 4096, false, 1, Tenant.of("t", List.of("127.0.0.0/8"), false), List.of(q0, q1),
        errno -> { });

    @Test
    void shouldSpreadConnectionsOverQueuesAndCountThemUntilTheyDetach()
    {
        final NbdConnection a = new NbdConnection(null, null, null);
        final NbdConnection b = new NbdConnection(null, null, null);

        assertThat(disk.attach(a)).isSameAs(q0);
        assertThat(disk.attach(b)).isSameAs(q1);
        assertThat(disk.connections()).isEqualTo(2);
        disk.detach(a);
        assertThat(disk.connections()).isEqualTo(1);
    }

    @Test
    void shouldRefuseNewConnectionsOnceStoppedAndNameTheOpenOnes()
    {
        final NbdConnection open = new NbdConnection(null, null, null);
        disk.attach(open);

        assertThat(disk.stopAccepting()).containsExactly(open);
        assertThat(disk.attach(new NbdConnection(null, null, null))).isNull();
        assertThat(disk.connections()).isEqualTo(1);
    }

    @Test
    void shouldShowANewSizeAndNewTenantRulesToWhoeverAsksNext() throws Exception
    {
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(disk.tenant().allows(loopback)).isTrue();

        disk.resize(8192);
        disk.retenant(Tenant.of("t", List.of("10.0.0.0/8"), true));

        assertThat(disk.sizeBytes()).isEqualTo(8192);
        assertThat(disk.tenant().allows(loopback)).isFalse();
        assertThat(disk.requiresTls()).isTrue();
    }

    /** Takes every request and has no consumer to wake: the queues here only stand for identity. */
    private static final class AcceptingSink implements BlockQueue
    {
        @Override
        public boolean offer(final BlockRequest request)
        {
            return true;
        }

        @Override
        public void wake()
        {
        }
    }
}
