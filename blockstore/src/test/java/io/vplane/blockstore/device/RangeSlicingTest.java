package io.vplane.blockstore.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.nbd.NbdLimits;
import io.vplane.blockstore.qos.DiskFlow;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.qos.SchedulerSettings;
import io.vplane.blockstore.qos.SliceScheduler;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockOp;
import io.vplane.blockstore.request.BlockOrigin;
import io.vplane.blockstore.request.BlockRequest;
import io.vplane.blockstore.request.ReplyLayout;
import io.vplane.blockstore.request.SocketSplicer;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant that asks for 4 GiB of zeros (NO_HOLE, on a backend that must write them) must not
 * hold the worker for the time that takes: the request runs a slice per poll, and a READ queued
 * behind it is answered long before it ends.
 */
class RangeSlicingTest
{
    private static final long FOUR_GIB = 4L << 30;

    private final Counters counters = Counters.inMemory(1024);
    private final RecordingBackend backend = new RecordingBackend();
    private final DiskMetrics metrics = new DiskMetrics(counters, "d", "t");
    private final DiskFlow flow = new SliceScheduler(SchedulerSettings.DEFAULTS, System.nanoTime())
        .register("d", "t", DiskQos.UNLIMITED, 2, counters);
    private final DiskQueue queue = new DiskQueue(0, 64,
        new RequestExecutor("d", backend, metrics, new ErrorLog(counters), NbdLimits.DEFAULTS.zeroSliceBytes()), flow.gate(0));
    private final RecordingOrigin origin = new RecordingOrigin();

    @AfterEach
    void close()
    {
        queue.close();
        metrics.close();
    }

    @Test
    void shouldZeroFourGibInSlicesWhileAReadBehindItIsAnswered()
    {
        final BlockRequest zeroes = new BlockRequest(origin).set(BlockOp.WRITE_ZEROES, BlockFlags.NO_HOLE, 1, 0,
            FOUR_GIB - 1, System.nanoTime());
        final BlockRequest read = new BlockRequest(origin).set(BlockOp.READ, 0, 2, 0, 4096, System.nanoTime());
        assertThat(queue.offer(zeroes)).isTrue();
        assertThat(queue.offer(read)).isTrue();

        int polls = 0;
        while (origin.completed.size() < 2 && polls < 10_000)
        {
            queue.poll(32);
            polls++;
        }

        assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(2L, 1L);
        assertThat(origin.completed.getLast().error()).isEqualTo(BlockError.NONE);
        assertThat(backend.largestZeroing).isLessThanOrEqualTo(NbdLimits.DEFAULTS.zeroSliceBytes());
        assertThat(backend.zeroed).isEqualTo(FOUR_GIB - 1);
        assertThat(queue.backlog()).isZero();
        origin.completed.getFirst().takeReply().release();
    }

    @Test
    void shouldSliceByTheConfiguredSliceBytes()
    {
        final long sliceBytes = 1L << 20;
        final DiskQueue sliced = new DiskQueue(1, 64, new RequestExecutor("d", backend, metrics, new ErrorLog(counters), sliceBytes),
            flow.gate(1));
        try
        {
            assertThat(sliced.offer(new BlockRequest(origin).set(BlockOp.WRITE_ZEROES, BlockFlags.NO_HOLE, 1, 0,
                64L << 20, System.nanoTime()))).isTrue();
            for (int polls = 0; origin.completed.isEmpty() && polls < 1_000; polls++)
            {
                sliced.poll(32);
            }

            assertThat(origin.completed).extracting(BlockRequest::tag).containsExactly(1L);
            assertThat(backend.largestZeroing).isEqualTo(sliceBytes);
            assertThat(backend.zeroed).isEqualTo(64L << 20);
        }
        finally
        {
            sliced.close();
        }
    }
}
