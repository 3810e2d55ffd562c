package io.vplane.engine.counters;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void secondMappingReadsLiveValuesAndKinds()
    {
        final Path path = dir.resolve("run/counters.dat");
        try (CountersFile file = CountersFile.create(path, 16);
            CountersFile reading = CountersFile.openReadOnly(path))
        {
            final Counters counters = file.counters();
            final AtomicCounter busy = counters.counter(EngineMetrics.WORKER_BUSY_NS_TOTAL, "pool", "net", "worker", "net-0", "cpu", "2");
            final AtomicCounter occupancy = counters.gauge(EngineMetrics.QUEUE_RING_OCCUPANCY, "pool", "blk", "device", "lo1", "queue", "0");
            busy.getAndAddRelease(1234);
            occupancy.set(7);

            assertThat(reading.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(reading.startTimeMs()).isEqualTo(file.startTimeMs()).isPositive();
            assertThat(reading.maxCounters()).isEqualTo(16);
            assertThat(reading.path()).isEqualTo(path);

            final List<String> seen = new ArrayList<>();
            final CountersReader reader = reading.reader();
            reader.forEach((final int id, final int typeId, final DirectBuffer key, final String label) ->
                seen.add(label + " " + CounterKind.ofTypeId(typeId) + " " + reader.getCounterValue(id)));

            assertThat(seen).containsExactly(
                "vplane_worker_busy_ns_total{pool=\"net\",worker=\"net-0\",cpu=\"2\"} COUNTER 1234",
                "vplane_queue_ring_occupancy{pool=\"blk\",device=\"lo1\",queue=\"0\"} GAUGE 7");

            busy.increment();
            assertThat(reader.getCounterValue(busy.id())).isEqualTo(1235);
        }
    }

    @Test
    void shouldBeReadableByTheDaemonsGroupAndNobodyElse() throws Exception
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 8))
        {
            assertThat(java.nio.file.Files.getPosixFilePermissions(path)).isEqualTo(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        }
    }

    @Test
    void freedCountersAreSkippedByReaders()
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 8);
            CountersFile reading = CountersFile.openReadOnly(path))
        {
            final AtomicCounter kept = file.counters().counter("a_total");
            final AtomicCounter freed = file.counters().counter("b_total");
            freed.close();

            final List<String> labels = new ArrayList<>();
            reading.reader().forEach((final int id, final String label) -> labels.add(label));
            assertThat(labels).containsExactly("a_total");
            assertThat(kept.isClosed()).isFalse();
        }
    }

    @Test
    void everyAllocationGetsItsOwnRegistrationId()
    {
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), 8))
        {
            final AtomicCounter first = file.counters().counter("a_total");
            final AtomicCounter second = file.counters().gauge("b");
            final long firstId = file.reader().getCounterRegistrationId(first.id());
            final long secondId = file.reader().getCounterRegistrationId(second.id());

            assertThat(firstId).isPositive();
            assertThat(secondId).isPositive().isNotEqualTo(firstId);
        }
    }

    @Test
    void allocationIsThreadSafe() throws Exception
    {
        final int threads = 4;
        final int perThread = 50;
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), threads * perThread))
        {
            final ExecutorService executor = Executors.newFixedThreadPool(threads);
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<List<AtomicCounter>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final String thread = Integer.toString(t);
                futures.add(executor.submit(() ->
                {
                    start.await();
                    final List<AtomicCounter> made = new ArrayList<>();
                    for (int i = 0; i < perThread; i++)
                    {
                        made.add(file.counters().counter("x_total", "t", thread, "i", Integer.toString(i)));
                    }
                    return made;
                }));
            }
            start.countDown();
            final Set<Integer> ids = new HashSet<>();
            final Set<Long> registrationIds = new HashSet<>();
            for (final Future<List<AtomicCounter>> future : futures)
            {
                for (final AtomicCounter counter : future.get())
                {
                    ids.add(counter.id());
                    registrationIds.add(file.reader().getCounterRegistrationId(counter.id()));
                }
            }
            executor.shutdown();

            assertThat(ids).hasSize(threads * perThread);
            assertThat(registrationIds).hasSize(threads * perThread);
        }
    }

    @Test
    void fullFileSaysSo()
    {
        try (CountersFile file = CountersFile.create(dir.resolve("counters.dat"), 1))
        {
            file.counters().counter("a_total");
            assertThatThrownBy(() -> file.counters().counter("b_total"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
        }
    }

    @Test
    void createReplacesAnOldFile() throws IOException
    {
        final Path path = dir.resolve("counters.dat");
        Files.writeString(path, "stale");
        try (CountersFile file = CountersFile.create(path, 4);
            CountersFile reading = CountersFile.openReadOnly(path))
        {
            assertThat(reading.maxCounters()).isEqualTo(file.maxCounters()).isEqualTo(4);
        }
        assertThat(path.resolveSibling("counters.dat.tmp")).doesNotExist();
    }

    @Test
    void fileStartsWithTheMagic() throws IOException
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 4))
        {
            assertThat(file.path()).isEqualTo(path);
            final byte[] start = new byte[8];
            System.arraycopy(Files.readAllBytes(path), 0, start, 0, 8);
            assertThat(new String(start, StandardCharsets.US_ASCII)).isEqualTo("VPLANECT");
        }
    }

    @Test
    void readOnlyFileCannotAllocate()
    {
        final Path path = dir.resolve("counters.dat");
        try (CountersFile file = CountersFile.create(path, 4);
            CountersFile reading = CountersFile.openReadOnly(path))
        {
            assertThat(file.counters()).isNotNull();
            assertThatThrownBy(reading::counters).hasMessageContaining("read-only");
            assertThatThrownBy(reading::manager).hasMessageContaining("read-only");
        }
    }

    @Test
    void missingFileHasAClearMessage()
    {
        final Path path = dir.resolve("nothing.dat");
        assertThatThrownBy(() -> CountersFile.openReadOnly(path))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("no counters file at " + path + ": is the daemon running with this run directory?");
    }

    @Test
    void wrongMagicIsRejected() throws IOException
    {
        final Path path = dir.resolve("other.dat");
        Files.write(path, new byte[256]);
        assertThatThrownBy(() -> CountersFile.openReadOnly(path))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("is not a vplane counters file (magic");
    }

    @Test
    void wrongVersionIsRejected() throws IOException
    {
        final Path path = dir.resolve("counters.dat");
        CountersFile.create(path, 4).close();
        final byte[] bytes = Files.readAllBytes(path);
        bytes[CountersFile.VERSION_OFFSET] = 99;
        final Path copy = dir.resolve("future.dat");
        Files.write(copy, bytes);

        assertThatThrownBy(() -> CountersFile.openReadOnly(copy))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("layout version 99");
    }

    @Test
    void tooShortFileIsRejected() throws IOException
    {
        final Path path = dir.resolve("short.dat");
        Files.write(path, new byte[10]);
        assertThatThrownBy(() -> CountersFile.openReadOnly(path)).hasMessageContaining("only 10 bytes");
    }
}
