package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockQueue;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends large READs faster than the disk serves them pins their data; the
 * connection stops taking requests once the data in flight reaches the limit, not at the 128th.
 */
class DataInFlightBudgetTest
{
    private static final int MIB = 1 << 20;
    private static final NbdLimits LIMITS = new NbdLimits(10_000, 128, 64 * 1024, 64, 64, 64, 8L * MIB, 4 * MIB, 60_000, 16L * MIB);

    @Test
    void shouldStopTakingRequestsOnceTheirDataInFlightReachesTheLimit()
    {
        final Counters counters = Counters.inMemory(256);
        final SlowDisk disk = new SlowDisk();
        final EmbeddedChannel channel = new EmbeddedChannel(new NbdConnection(disk,
            NbdServerMetrics.allocate(counters, new ErrorLog(counters)), null, LIMITS, new ConnectionCaps(LIMITS)));
        final byte[] name = "d".getBytes(StandardCharsets.UTF_8);
        channel.writeInbound(Unpooled.buffer().writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE)
            .writeLong(NbdProtocol.IHAVEOPT).writeInt(NbdProtocol.OPT_GO).writeInt(4 + name.length + 2)
            .writeInt(name.length).writeBytes(name).writeShort(0));

        final ByteBuf reads = Unpooled.buffer();
        for (int i = 0; i < 32; i++)
        {
            reads.writeInt(NbdProtocol.REQUEST_MAGIC).writeShort(0).writeShort(NbdProtocol.CMD_READ).writeLong(i)
                .writeLong((long)i * MIB).writeInt(MIB);
        }
        channel.writeInbound(reads);

        assertThat(disk.taken).hasSize(8);
        channel.finishAndReleaseAll();
    }

    /** One export whose queue takes every request and finishes none. */
    private static final class SlowDisk implements ExportDirectory, Export, BlockQueue
    {
        final List<BlockRequest> taken = new ArrayList<>();

        @Override
        public Export find(final String name, final InetAddress client)
        {
            return "d".equals(name) ? this : null;
        }

        @Override
        public List<Export> visibleTo(final InetAddress client)
        {
            return List.of(this);
        }

        @Override
        public String name()
        {
            return "d";
        }

        @Override
        public String description()
        {
            return "";
        }

        @Override
        public long sizeBytes()
        {
            return 64L * MIB;
        }

        @Override
        public boolean readOnly()
        {
            return false;
        }

        @Override
        public int minBlockBytes()
        {
            return 1;
        }

        @Override
        public boolean requiresTls()
        {
            return false;
        }

        @Override
        public void countError(final int errno)
        {
        }

        @Override
        public BlockQueue attach(final BlockOrigin connection)
        {
            return this;
        }

        @Override
        public int connections()
        {
            return 0;
        }

        @Override
        public void detach(final BlockOrigin connection)
        {
        }

        @Override
        public boolean offer(final BlockRequest request)
        {
            taken.add(request);
            return true;
        }

        @Override
        public void wake()
        {
        }
    }
}
