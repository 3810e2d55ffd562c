package io.vplane.engine.worker;

import io.vplane.config.IoThreadsConfig;
import io.vplane.engine.linux.CpuAffinity;
import io.vplane.engine.management.PlacementView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class IoThreadsTest
{
    @Test
    void shouldPinEachThreadToTheNextCpuAndShowItWhileItRuns() throws Exception
    {
        final IoThreads io = new IoThreads("blk", new IoThreadsConfig(2, List.of(0)));
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Integer> cpu = new CompletableFuture<>();
        final Thread thread = new Thread(io.pinned(() ->
        {
            cpu.complete(CpuAffinity.currentCpu());
            awaitQuietly(release);
        }), "vplane-blk-io-test");
        thread.start();

        assertThat(cpu.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(io.views()).containsExactly(new PlacementView.IoThreadView("vplane-blk-io-test", 0, true));
        release.countDown();
        thread.join(10_000);
        assertThat(io.views()).isEmpty();
        assertThat(io.count()).isEqualTo(2);
    }

    @Test
    void shouldLeaveThreadsUnpinnedWithoutCpusAndCountOnePerProcessorForZero()
    {
        final IoThreads io = new IoThreads("net", new IoThreadsConfig(0, List.of()));
        final PlacementView.IoThreadView[] seen = new PlacementView.IoThreadView[1];
        final Runnable body = io.pinned(() -> seen[0] = io.views().getFirst());

        body.run();

        assertThat(seen[0].pinned()).isFalse();
        assertThat(seen[0].cpu()).isEqualTo(-1);
        assertThat(io.count()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
