package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * The control-command component: turns a configuration request for a VM (containers of a target
 * scaled, their memory or storage resized) into a command with an id, journals it before anything
 * is sent, and hands it to that VM's {@link AgentLink}. Commands left unfinished by a daemon that
 * stopped are sent again when it starts.
 */
public final class ControlService implements AutoCloseable
{
    private final CommandJournal journal;
    private final Map<String, AgentLink> links = new TreeMap<>();

    /** How long a link waits for a command's result before it takes the guest or agent for hung. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    /** @param vms each VM's transport and secret, fixed for the life of the service */
    public ControlService(final Path journalFile, final Map<String, Vm> vms) throws IOException
    {
        this(journalFile, vms, ANSWER_TIMEOUT);
    }

    /** @param answerTimeout how long a link waits for a command's result before it reconnects and sends it again */
    public ControlService(final Path journalFile, final Map<String, Vm> vms, final Duration answerTimeout) throws IOException
    {
        this(new CommandJournal(journalFile), vms, answerTimeout);
    }

    /** Over a journal already open (the daemon's, on Chronicle Queue); the service closes it. */
    public ControlService(final CommandJournal journal, final Map<String, Vm> vms, final Duration answerTimeout)
    {
        this.journal = journal;
        vms.forEach((name, vm) -> links.put(name, new AgentLink(name, vm.transport(), vm.secret(), journal, answerTimeout)));
        links.values().forEach(AgentLink::start);
    }

    /** A VM's interface information: how to reach its agent and the secret it shares with the host. */
    public record Vm(ControlTransport transport, byte[] secret)
    {
    }

    /** Journals the command (durable when this returns) and lets the VM's link send it. */
    public CommandJournal.Entry submit(final String vm, final int op, final String target, final long value) throws IOException
    {
        final AgentLink link = links.get(vm);
        if (null == link)
        {
            throw new NoSuchElementException("no VM named '" + vm + "' has a control channel; configured: " + links.keySet());
        }
        if (op < ControlFrame.OP_SCALE || op > ControlFrame.OP_STORAGE)
        {
            throw new IllegalArgumentException("unknown operation " + op);
        }
        final CommandJournal.Entry entry = journal.add(vm, target, op, value);
        link.wake();
        return entry;
    }

    public CommandJournal.Entry command(final long id)
    {
        return journal.entry(id);
    }

    public List<CommandJournal.Entry> commands()
    {
        return journal.entries();
    }

    /** The links, by VM name. */
    public Map<String, AgentLink> links()
    {
        return Map.copyOf(links);
    }

    @Override
    public void close() throws IOException
    {
        links.values().forEach(AgentLink::close);
        journal.close();
    }
}
