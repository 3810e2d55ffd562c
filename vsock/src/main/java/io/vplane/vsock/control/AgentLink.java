package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The communication component for one VM: on a thread of its own (never a data-plane worker) it
 * keeps a connection to the VM's agent, reconnecting with backoff (100 ms doubling to 5 s, started
 * over once the link got somewhere; the same failure logged once a minute with a count),
 * answers the agent's challenge, and sends the VM's unfinished commands from the journal one at a
 * time, in id order, each after the previous one's result: so commands apply in order per VM, and
 * after a reconnect whatever had no result is sent again (the agent answers a repeat from its own
 * journal). Every state change is journaled before the next step.
 * <p>
 * A command never waits silently: when the connection fails while a command waits for its result
 * (the guest was reset, the agent died), or no result comes within {@code answerTimeout} (a guest
 * that hangs), the command gets a note saying so, the link shows the error, and the command is
 * sent again once the link is back.
 */
public final class AgentLink implements AutoCloseable
{
    private static final Logger LOG = Logger.getLogger(AgentLink.class.getName());
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 5_000;
    /** The same failure again is logged at most this often: one line per fault, not one per retry. */
    private static final long REPEAT_LOG_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);

    private final String vm;
    private final ControlTransport transport;
    private final byte[] secret;
    private final CommandJournal journal;
    private final Semaphore work = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile ByteChannel current;
    private volatile boolean connected;
    private final long answerTimeoutNs;
    /** While a command waits for its result: when that wait ends ({@link System#nanoTime()}), else 0. */
    private volatile long answerDueNs;
    private volatile boolean answerTimedOut;
    private volatile String lastError = "";
    /** The id of the command waiting for its result on the current connection, else 0. */
    private volatile long inFlight;
    private final Thread watchdog;
    /** The failure last logged, when, and how many equal ones were not: touched by the link's thread only. */
    private String loggedWhy = "";
    private long loggedAtNs;
    private long unloggedRepeats;

    final AtomicLong connects = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    public AgentLink(
        final String vm, final ControlTransport transport, final byte[] secret, final CommandJournal journal, final Duration answerTimeout)
    {
        this.answerTimeoutNs = answerTimeout.toNanos();
        this.watchdog = Thread.ofVirtual().name("vplane-control-watchdog-" + vm).unstarted(this::watch);
        this.vm = vm;
        this.transport = transport;
        this.secret = secret.clone();
        this.journal = journal;
        this.thread = Thread.ofPlatform().name("vplane-control-" + vm).daemon().unstarted(this::run);
    }

    public AgentLink start()
    {
        thread.start();
        watchdog.start();
        return this;
    }

    public String vm()
    {
        return vm;
    }

    public String transport()
    {
        return transport.describe();
    }

    public boolean isConnected()
    {
        return connected;
    }

    /** Why the link last failed (empty before any failure): what an operator sees in the status. */
    public String lastError()
    {
        return lastError;
    }

    /** A command for this VM was journaled: send it when its turn comes. */
    public void wake()
    {
        work.release();
    }

    private void run()
    {
        long backoffMs = BACKOFF_MIN_MS;
        while (running)
        {
            try (ByteChannel channel = transport.open(); FrameChannel frames = new FrameChannel(channel))
            {
                current = channel;
                answerChallenge(frames);
                connects.incrementAndGet();
                connected = true;
                boolean first = true;
                while (running)
                {
                    final List<CommandJournal.Entry> pending = journal.unfinished(vm);
                    if (pending.isEmpty())
                    {
                        backoffMs = BACKOFF_MIN_MS;
                        work.tryAcquire(200, TimeUnit.MILLISECONDS);
                        first = false;
                        continue;
                    }
                    final CommandJournal.Entry next = pending.getFirst();
                    if (first && next.state() != CommandJournal.State.QUEUED)
                    {
                        resent.incrementAndGet();
                    }
                    first = false;
                    exchange(frames, next);
                    // only a link that got somewhere starts its backoff over: one that connects and then
                    // fails at once (a journal that cannot be written) keeps doubling it
                    backoffMs = BACKOFF_MIN_MS;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                if (running)
                {
                    failed(ex, backoffMs);
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            finally
            {
                connected = false;
                current = null;
                answerDueNs = 0;
                answerTimedOut = false;
            }
            sleep(backoffMs);
            backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
        }
    }

    private void answerChallenge(final FrameChannel frames) throws IOException
    {
        final ControlFrame challenge = frames.read();
        if (challenge.type() != ControlFrame.CHALLENGE)
        {
            throw new IOException("the agent began with frame type " + challenge.type() + ", not a challenge");
        }
        frames.write(ControlFrame.auth(ContainerAgent.mac(secret, challenge.bytes())));
        final ControlFrame accepted = frames.read();
        if (accepted.type() != ControlFrame.ACK || accepted.id() != 0)
        {
            throw new IOException("the agent refused this host: " + (accepted.type() == ControlFrame.ERROR ? accepted.text() :
                "frame type " + accepted.type()));
        }
    }

    /** The connection failed: the link says why, and so does the command that was waiting, if any. */
    private void failed(final Exception ex, final long backoffMs)
    {
        final long waiting = inFlight;
        final String why = answerTimedOut ?
            "no result from the agent within " + TimeUnit.NANOSECONDS.toMillis(answerTimeoutNs) + " ms (guest or agent hung)" :
            String.valueOf(ex.getMessage());
        lastError = why;
        final long now = System.nanoTime();
        if (!why.equals(loggedWhy) || now - loggedAtNs > REPEAT_LOG_INTERVAL_NS)
        {
            LOG.info("control link " + vm + " (" + transport.describe() + "): " + why + "; reconnecting in " + backoffMs + " ms" +
                (waiting != 0 ? "; command " + waiting + " is sent again then" : "") +
                (unloggedRepeats != 0 ? " (" + unloggedRepeats + " more failures since the last line)" : ""));
            loggedWhy = why;
            loggedAtNs = now;
            unloggedRepeats = 0;
        }
        else
        {
            unloggedRepeats++;
        }
        if (waiting != 0)
        {
            try
            {
                journal.note(waiting, "link failed while waiting for the result: " + why + "; sent again once the link is back");
            }
            catch (final IOException journalFailed)
            {
                LOG.warning("control link " + vm + ": cannot note command " + waiting + " in the journal: " + journalFailed.getMessage());
            }
        }
        inFlight = 0;
    }

    /** Closes a connection whose command waited too long, so the blocked read ends and the link starts over. */
    private void watch()
    {
        final long tickMs = Math.max(10, Math.min(250, TimeUnit.NANOSECONDS.toMillis(answerTimeoutNs) / 4));
        while (running)
        {
            try
            {
                Thread.sleep(tickMs);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long due = answerDueNs;
            final ByteChannel channel = current;
            if (due != 0 && System.nanoTime() - due > 0 && null != channel)
            {
                answerTimedOut = true;
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // the link sees the closed channel either way
                }
            }
        }
    }

    /** Sends one command and waits for its result; the journal follows every step. */
    private void exchange(final FrameChannel frames, final CommandJournal.Entry entry) throws IOException
    {
        journal.state(entry.id(), CommandJournal.State.SENT, "");
        inFlight = entry.id();
        answerDueNs = System.nanoTime() + answerTimeoutNs;
        frames.write(entry.frame());
        while (true)
        {
            final ControlFrame answer = frames.read();
            switch (answer.type())
            {
                case ControlFrame.ACK -> journal.state(answer.id(), CommandJournal.State.ACKNOWLEDGED, "");
                case ControlFrame.RESULT ->
                {
                    journal.state(answer.id(), answer.status() == ControlFrame.STATUS_APPLIED ?
                        CommandJournal.State.APPLIED : CommandJournal.State.FAILED, answer.text());
                    if (answer.id() == entry.id())
                    {
                        answered();
                        return;
                    }
                }
                case ControlFrame.ERROR ->
                {
                    errors.incrementAndGet();
                    if (answer.id() == entry.id() && answer.status() != ControlFrame.ERROR_TOO_LONG)
                    {
                        // the agent cannot take this command (its schema, its op): it will never apply it
                        journal.state(entry.id(), CommandJournal.State.FAILED, "agent: " + answer.text());
                        answered();
                        return;
                    }
                    throw new IOException("agent error " + answer.status() + ": " + answer.text());
                }
                default -> throw new IOException("unexpected frame type " + answer.type());
            }
        }
    }

    private void answered()
    {
        answerDueNs = 0;
        inFlight = 0;
        lastError = "";
    }

    private void sleep(final long ms)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running && System.nanoTime() - until < 0)
        {
            try
            {
                work.tryAcquire(Math.min(50, ms), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        final ByteChannel channel = current;
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        work.release();
        watchdog.interrupt();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
