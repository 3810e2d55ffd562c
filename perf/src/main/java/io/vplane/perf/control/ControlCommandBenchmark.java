package io.vplane.perf.control;

import io.vplane.perf.jmh.DefaultRun;
import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.control.ControlFrame;
import io.vplane.vsock.control.FrameChannel;
import io.vplane.vsock.journal.ChronicleRecordLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * A container command's steady path, per command, with the GC profiler: {@link #exchange} is the
 * wire (the host encodes the COMMAND frame, the agent decodes it and answers ACK and RESULT, the
 * host decodes both) through the real {@link FrameChannel}s over an in-memory stream, so only the
 * framing is measured; {@link #journal} is the host's journal of it on Chronicle Queue (the synced
 * command record and its three state records, as the daemon writes them), in a directory under
 * {@code -Dvplane.journal.dir} (default: the temporary directory). The operator's request brings the
 * VM and target names as Strings: what a command allocates beyond them is the figure to watch.
 * Run with {@code perf/bin/control-commands}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ControlCommandBenchmark extends DefaultRun
{
    private static final String VM = "vm0";
    private static final String TARGET = "web";

    private final Wire wire = new Wire();
    private final FrameChannel host = new FrameChannel(wire);
    private final FrameChannel agent = new FrameChannel(wire);
    private long nextId = 1;
    private Path dir;
    private CommandJournal commands;

    @Setup
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Path.of(System.getProperty("vplane.journal.dir", System.getProperty("java.io.tmpdir"))),
            "control-bench");
        commands = new CommandJournal(dir.resolve("commands"), ChronicleRecordLog::open);
    }

    /** COMMAND host → agent, ACK and RESULT agent → host. */
    @Benchmark
    public int exchange() throws IOException
    {
        host.write(ControlFrame.command(nextId++, ControlFrame.OP_SCALE, 2, VM, TARGET));
        final ControlFrame command = agent.read();
        agent.write(ControlFrame.ack(command.id()));
        agent.write(ControlFrame.result(command.id(), ControlFrame.STATUS_APPLIED, ""));
        return host.read().type() + host.read().status();
    }

    /** The host's journal of one command: queued (synced), sent, acknowledged, applied. */
    @Benchmark
    public long journal() throws IOException
    {
        final long id = commands.add(VM, TARGET, ControlFrame.OP_SCALE, 2).id();
        commands.state(id, CommandJournal.State.SENT, "");
        commands.state(id, CommandJournal.State.ACKNOWLEDGED, "");
        commands.state(id, CommandJournal.State.APPLIED, "");
        return id;
    }

    @TearDown
    public void tearDown() throws IOException
    {
        commands.close();
        try (var files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A byte stream in memory: what one end writes, the other reads, in order; never blocks (the benchmark alternates). */
    private static final class Wire implements ByteChannel
    {
        private final ByteBuffer bytes = ByteBuffer.allocate(4 * ControlFrame.MAX_LENGTH).flip();

        @Override
        public int write(final ByteBuffer source)
        {
            final int length = source.remaining();
            bytes.compact().put(source).flip();
            return length;
        }

        @Override
        public int read(final ByteBuffer destination)
        {
            final int length = Math.min(destination.remaining(), bytes.remaining());
            destination.put(destination.position(), bytes, bytes.position(), length).position(destination.position() + length);
            bytes.position(bytes.position() + length);
            return length;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
