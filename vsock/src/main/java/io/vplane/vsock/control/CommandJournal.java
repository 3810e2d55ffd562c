package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host's durable record of every container command and its state. A command is written here
 * (QUEUED) and synced to disk before it is ever sent; each state change after is written without a
 * sync: a crash may lose the newest states, never a command, and the commands that then look
 * unfinished are sent again, which the agent answers from its own journal without applying them
 * twice. A daemon killed at any point finds on restart every command it accepted. Records:
 * <pre>
 *   command: kind 1 u8 | id u64 | op u16 | value i64 | vm str | target str
 *   state:   kind 2 u8 | id u64 | state u8 | reason str          (str: length u16 | UTF-8)
 * </pre>
 */
public final class CommandJournal implements AutoCloseable
{
    private static final byte KIND_COMMAND = 1;
    private static final byte KIND_STATE = 2;

    /** Where a command stands. */
    public enum State
    {
        QUEUED, SENT, ACKNOWLEDGED, APPLIED, FAILED;

        public boolean finished()
        {
            return APPLIED == this || FAILED == this;
        }
    }

    /** One command as the journal knows it. */
    public record Entry(long id, String vm, String target, int op, long value, State state, String reason)
    {
        public ControlFrame frame()
        {
            return ControlFrame.command(id, op, value, vm, target);
        }
    }

    private final Map<Long, Entry> entries = new TreeMap<>();
    private final RecordLog file;
    private long nextId = 1;

    /** A journal in a {@link RecordFile}. */
    public CommandJournal(final Path path) throws IOException
    {
        this(path, RecordFile::open);
    }

    /** A journal in the record log {@code opener} opens at {@code path} (the daemon's: Chronicle Queue). */
    public CommandJournal(final Path path, final RecordLog.Opener opener) throws IOException
    {
        this.file = opener.open(path, this::replay);
    }

    private void replay(final ByteBuffer record)
    {
        final byte kind = record.get();
        final long id = record.getLong();
        if (KIND_COMMAND == kind)
        {
            final int op = record.getShort() & 0xFFFF;
            final long value = record.getLong();
            final String vm = string(record);
            entries.put(id, new Entry(id, vm, string(record), op, value, State.QUEUED, ""));
            nextId = Math.max(nextId, id + 1);
        }
        else
        {
            final Entry entry = entries.get(id);
            final State state = State.values()[record.get()];
            if (null != entry)
            {
                entries.put(id, new Entry(id, entry.vm(), entry.target(), entry.op(), entry.value(), state, string(record)));
            }
        }
    }

    /** Records a new command (durable when this returns) and gives its id. */
    public synchronized Entry add(final String vm, final String target, final int op, final long value) throws IOException
    {
        final long id = nextId++;
        final byte[] vmBytes = vm.getBytes(StandardCharsets.UTF_8);
        final byte[] targetBytes = target.getBytes(StandardCharsets.UTF_8);
        file.append(ByteBuffer.allocate(1 + 8 + 2 + 8 + 4 + vmBytes.length + targetBytes.length)
            .put(KIND_COMMAND).putLong(id).putShort((short)op).putLong(value)
            .putShort((short)vmBytes.length).put(vmBytes).putShort((short)targetBytes.length).put(targetBytes).flip(), true);
        final Entry entry = new Entry(id, vm, target, op, value, State.QUEUED, "");
        entries.put(id, entry);
        return entry;
    }

    /** Moves command {@code id} on; a finished command does not change any more. */
    public synchronized void state(final long id, final State state, final String reason) throws IOException
    {
        final Entry entry = entries.get(id);
        if (null == entry || entry.state().finished() || entry.state() == state && entry.reason().equals(reason))
        {
            return;
        }
        final byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        file.append(ByteBuffer.allocate(1 + 8 + 1 + 2 + text.length).put(KIND_STATE).putLong(id).put((byte)state.ordinal())
            .putShort((short)text.length).put(text).flip(), false);
        entries.put(id, new Entry(id, entry.vm(), entry.target(), entry.op(), entry.value(), state, reason));
    }

    /** Why an unfinished command waits longer than it should (its link failed); its state stays. */
    public synchronized void note(final long id, final String reason) throws IOException
    {
        final Entry entry = entries.get(id);
        if (null != entry)
        {
            state(id, entry.state(), reason);
        }
    }

    /** Commands for {@code vm} with no result yet, in id order: what its link (re-)sends. */
    public synchronized List<Entry> unfinished(final String vm)
    {
        final List<Entry> list = new ArrayList<>();
        for (final Entry entry : entries.values())
        {
            if (entry.vm().equals(vm) && !entry.state().finished())
            {
                list.add(entry);
            }
        }
        return list;
    }

    public synchronized Entry entry(final long id)
    {
        return entries.get(id);
    }

    /** Every command, in id order. */
    public synchronized List<Entry> entries()
    {
        return List.copyOf(entries.values());
    }

    private static String string(final ByteBuffer record)
    {
        final byte[] bytes = new byte[record.getShort() & 0xFFFF];
        record.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() throws IOException
    {
        file.close();
    }
}
