package io.vplane.virtio.vhostuser;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.linux.EventFd;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.MemFd;
import io.vplane.engine.linux.Pipes;
import io.vplane.engine.linux.FileSeals;
import io.vplane.virtio.memory.GuestMemoryLimits;
import io.vplane.virtio.memory.MemoryRegion;
import io.vplane.virtio.memory.SealableMemfd;
import io.vplane.virtio.virtq.SplitVirtQueue;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.vplane.virtio.vhostuser.VhostUserRequest.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A frontend that attacks the backend through the protocol: call fds that would block or are no
 * eventfd, replies it never reads, memory tables beyond the limits, memory it could seal and did not.
 */
@Timeout(60)
class HostileFrontendTest
{
    private static final long GIB = 1L << 30;

    private final Counters counters = Counters.inMemory(256);
    private final ErrorLog errors = new ErrorLog(counters);
    private final AtomicCounter protocolErrors = counters.counter("vplane_hostile_total");
    private final TestFrontend frontend = new TestFrontend();
    private final FakeDevice device = new FakeDevice(2);
    private VhostUserSession session = new VhostUserSession("hostile", device, errors, protocolErrors);
    private int extraFd = -1;

    @AfterEach
    void close()
    {
        session.close();
        frontend.close();
        FileIo.close(extraFd);
    }

    @Test
    void shouldNeverBlockSignallingACallEventfdWhoseCounterTheFrontendFilled() throws Exception
    {
        // a blocking eventfd one short of its maximum: the next write of 1 would wait for a reader forever
        extraFd = EventFd.create(0, EventFd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment value = arena.allocate(8);
            value.set(ValueLayout.JAVA_LONG, 0, 0xFFFF_FFFF_FFFF_FFFEL);
            assertThat(FileIo.write(extraFd, value, 8)).isEqualTo(8);
        }
        frontend.startUp(session, FakeDevice.FEATURES, 2, 256, extraFd);
        final SplitVirtQueue ring = device.running[0];
        ring.addUsed(0, 0);
        ring.publishUsed();

        final CompletableFuture<Boolean> call = CompletableFuture.supplyAsync(ring::notifyIfWanted);
        try
        {
            assertThat(call.get(5, TimeUnit.SECONDS)).as("the guest counts as signalled").isTrue();
        }
        catch (final TimeoutException ex)
        {
            EventFd.read(extraFd); // let the stuck writer go
            throw new AssertionError("signalling the call eventfd blocked the worker", ex);
        }
    }

    @Test
    void shouldRefuseACallFdThatIsNotAnEventfd()
    {
        final int[] pipe = new int[2];
        assertThat(Pipes.pipe(pipe, FileIo.O_CLOEXEC)).isZero();
        extraFd = pipe[1];
        frontend.startUp(session, FakeDevice.FEATURES, 2, 256);
        frontend.u64(SET_VRING_CALL, 0, true);
        assertThat(frontend.exchange(session, pipe[1])).isEqualTo(VhostUserSession.Outcome.CONTINUE);
        FileIo.close(pipe[0]);

        frontend.expectAck(1);
        frontend.u64(SET_VRING_CALL, 1, true);
        assertThat(frontend.exchange(session, frontend.ramFd)).isEqualTo(VhostUserSession.Outcome.CONTINUE);
        frontend.expectAck(1);
        assertThat(protocolErrors.get()).isEqualTo(2);
    }

    @Test
    void shouldDropAFrontendThatNeverReadsItsReplies()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            VhostUserSession.Outcome outcome = VhostUserSession.Outcome.CONTINUE;
            int sent = 0;
            while (outcome == VhostUserSession.Outcome.CONTINUE)
            {
                frontend.message(GET_FEATURES, 0, false);
                outcome = frontend.exchange(session);
                sent++;
            }
            assertThat(sent).as("replies until the socket buffer filled").isGreaterThan(100);
        });
    }

    @Test
    void shouldRefuseAMemoryTableBeyondItsLimits()
    {
        session = new VhostUserSession("hostile", device, errors, protocolErrors, new GuestMemoryLimits(2, 64 * 1024, 96 * 1024));
        expectMemTable(1, new MemoryRegion(0, 128 * 1024, 0, 0));
        expectMemTable(1, new MemoryRegion(0, 64 * 1024, 0, 0), new MemoryRegion(1L << 20, 64 * 1024, 1L << 20, 0));
        expectMemTable(1, new MemoryRegion(0, 4096, 0, 0), new MemoryRegion(8192, 4096, 8192, 0), new MemoryRegion(16384, 4096, 16384, 0));
        expectMemTable(0, new MemoryRegion(0, 64 * 1024, 0, 0), new MemoryRegion(1L << 20, 32 * 1024, 1L << 20, 0));
        assertThat(session.isMemoryMapped()).isTrue();
    }

    @Test
    void shouldRefuseARegionLargerThanTheHostsRamByDefault() throws IOException
    {
        final long size = Math.max(2 * GuestMemoryLimits.hostRamBytes(), 4 * GIB) & -4096L;
        extraFd = MemFd.create("sparse", 4096);
        SealableMemfd.truncate(extraFd, size);
        frontend.memTable(new MemoryRegion[] {new MemoryRegion(0, size, 0, 0)}, true);
        frontend.exchange(session, extraFd);
        frontend.expectAck(1);
        assertThat(session.isMemoryMapped()).isFalse();
    }

    @Test
    void shouldRefuseAMemfdThatTakesSealsButIsNotSealedAgainstShrinking() throws IOException
    {
        extraFd = SealableMemfd.create("unsealed", 64 * 1024);
        frontend.memTable(new MemoryRegion[] {new MemoryRegion(0, 64 * 1024, 0, 0)}, true);
        frontend.exchange(session, extraFd);
        frontend.expectAck(1);
        assertThat(session.isMemoryMapped()).isFalse();

        assertThat(FileSeals.add(extraFd, FileSeals.F_SEAL_SHRINK)).isTrue();
        frontend.memTable(new MemoryRegion[] {new MemoryRegion(0, 64 * 1024, 0, 0)}, true);
        frontend.exchange(session, extraFd);
        frontend.expectAck(0);
        assertThat(session.isMemoryMapped()).isTrue();
        assertThatThrownBy(() -> SealableMemfd.truncate(extraFd, 0)).as("the sealed file cannot shrink").isInstanceOf(IOException.class);
    }

    private void expectMemTable(final long ack, final MemoryRegion... regions)
    {
        final int[] fds = new int[regions.length];
        final int fd = MemFd.create("ram", 2L << 20);
        java.util.Arrays.fill(fds, fd);
        frontend.memTable(regions, true);
        frontend.exchange(session, fds);
        FileIo.close(fd);
        frontend.expectAck(ack);
    }
}
