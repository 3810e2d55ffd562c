package io.vplane.engine.worker;

import io.vplane.config.IdleConfig;
import io.vplane.engine.linux.CpuAffinity;
import io.vplane.engine.wakeup.WakeupSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One OS thread running a duty cycle over the agents bound to it.
 *
 * <p>Agents are added, removed and the thread re-pinned only through commands in the worker's
 * inbox, which the worker drains at the start of a duty cycle: so when the future of a removal
 * completes, the removed agent has finished its last {@code doWork()} and will not run again here.
 * The inbox is Agrona's many-to-one queue: several control threads may send, one worker consumes,
 * and commands are rare, so the object per command costs nothing that matters.
 */
public final class Worker implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final int INBOX_DRAIN_LIMIT = 16;
    private static final int BUSY_CLOCK_INTERVAL = 256;
    private static final long OFFER_DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);
    private static final Agent[] NO_AGENTS = new Agent[0];

    private final String name;
    private final ManyToOneConcurrentArrayQueue<Runnable> inbox;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final WorkerCounters counters;
    private final Consumer<Runnable> commandRunner = Runnable::run;
    private final WakeupSet wakeups;
    private final IdleStrategy idleStrategy;
    private final ErrorHandler errorHandler;
    private Agent[] agents = NO_AGENTS;
    /** Agents stopped by a fault and not yet removed by their owner; touched by the worker's thread only. */
    private final Set<Agent> faulted = Collections.newSetFromMap(new IdentityHashMap<>());
    private long cycleStartNs;
    private long busyStartNs;
    private long busyCycles;
    private boolean busy;
    private volatile int cpu;
    private volatile boolean pinned;
    private volatile boolean closing;
    private volatile long threadId = -1;
    private AgentRunner runner;

    /**
     * @param cpu the CPU to pin to, or -1 to leave the thread unpinned
     */
    public Worker(
        final String name,
        final int cpu,
        final int inboxSize,
        final IdleConfig idle,
        final WorkerCounters counters,
        final ErrorHandler errorHandler)
    {
        this.name = name;
        this.cpu = cpu;
        this.inbox = new ManyToOneConcurrentArrayQueue<>(inboxSize);
        this.wakeups = new WakeupSet(() -> inbox.size() + (closing ? 1 : 0));
        this.idleStrategy = IdleStrategies.create(idle, wakeups);
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    public String name()
    {
        return name;
    }

    /** The CPU this worker is meant to run on, or -1. */
    public int cpu()
    {
        return cpu;
    }

    /** Whether the last pinning request succeeded. */
    public boolean pinned()
    {
        return pinned;
    }

    /** The clock this worker updates once per duty cycle; agents on this worker read it instead of the OS clock. */
    public CachedNanoClock clock()
    {
        return clock;
    }

    public synchronized void start()
    {
        if (null == runner)
        {
            runner = new AgentRunner(idleStrategy, errorHandler, counters.agentErrors(), this);
            AgentRunner.startOnThread(runner, task -> new Thread(task, "vplane-" + name));
        }
    }

    /** Binds {@code agent} to this worker; {@link Agent#onStart()} runs on the worker's thread first. */
    public CompletableFuture<Void> add(final Agent agent)
    {
        return submit(() -> onAdd(agent));
    }

    /** Unbinds {@code agent}; when the future completes it has run its last duty cycle here. */
    public CompletableFuture<Void> remove(final Agent agent)
    {
        return submit(() -> onRemove(agent));
    }

    /** Moves the worker's thread to another CPU (-1: leave as is). */
    public CompletableFuture<Void> repin(final int newCpu)
    {
        return submit(() ->
        {
            cpu = newCpu;
            pin();
        });
    }

    /** Runs {@code command} on the worker's thread between two duty cycles. */
    public CompletableFuture<Void> submit(final Runnable command)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Runnable wrapped = () ->
        {
            try
            {
                command.run();
                done.complete(null);
            }
            catch (final Throwable ex)
            {
                done.completeExceptionally(ex);
            }
        };
        final long deadline = System.nanoTime() + OFFER_DEADLINE_NS;
        while (!inbox.offer(wrapped))
        {
            counters.inboxOfferFailures().increment(); // atomic: any control thread offers
            if (System.nanoTime() - deadline > 0 || isClosed())
            {
                done.completeExceptionally(new IllegalStateException("worker " + name + " does not take commands"));
                return done;
            }
            LockSupport.parkNanos(100_000);
        }
        wakeups.wakeUp();
        return done;
    }

    /** The id of the worker's thread (for its CPU clock), or -1 before it started. */
    public long threadId()
    {
        return threadId;
    }

    /** Nanoseconds spent in duty cycles that did work, so far. */
    public long busyNs()
    {
        return counters.busyNs().get();
    }

    @Override
    public void onStart()
    {
        threadId = Thread.currentThread().threadId();
        pin();
    }

    @Override
    public int doWork() throws Exception
    {
        // The clock is read on every idle cycle (idle cycles can afford it), on the busy-to-idle
        // transition, and every BUSY_CLOCK_INTERVAL busy cycles, so a saturated worker pays for
        // almost no clock reads while busy time and the agents' cached clock stay current.
        if (!busy)
        {
            startIdleCycle();
        }
        int work = inbox.drain(commandRunner, INBOX_DRAIN_LIMIT);
        final Agent[] agents = this.agents;
        for (final Agent agent : agents)
        {
            try
            {
                work += agent.doWork();
            }
            catch (final Throwable ex)
            {
                // one device's fault (a bug, or SIGBUS on guest memory as InternalError) stops that
                // agent only: the others on this worker keep their duty cycle
                onAgentFault(agent, ex);
            }
        }
        counters.dutyCycles().incrementRelease();
        endCycle(work);
        return work;
    }

    private void startIdleCycle()
    {
        cycleStartNs = System.nanoTime();
        clock.update(cycleStartNs);
    }

    private void endCycle(final int work)
    {
        if (work > 0)
        {
            if (!busy)
            {
                busy = true;
                busyStartNs = cycleStartNs;
            }
            if ((++busyCycles & (BUSY_CLOCK_INTERVAL - 1)) == 0)
            {
                accountBusyTime();
            }
        }
        else if (busy)
        {
            busy = false;
            accountBusyTime();
        }
    }

    private void accountBusyTime()
    {
        final long now = System.nanoTime();
        counters.busyNs().getAndAddRelease(now - busyStartNs);
        busyStartNs = now;
        clock.update(now);
    }

    @Override
    public void onClose()
    {
        inbox.drain(commandRunner);
        for (final Agent agent : agents)
        {
            closeQuietly(agent);
        }
        agents = NO_AGENTS;
    }

    @Override
    public String roleName()
    {
        return "worker-" + name;
    }

    public boolean isClosed()
    {
        final AgentRunner runner = this.runner;
        return null != runner && runner.isClosed();
    }

    /** Stops the thread after its current duty cycle; the agents still bound get {@link Agent#onClose()}. */
    public synchronized void close()
    {
        closing = true;
        wakeups.wakeUp();
        if (null != runner)
        {
            runner.close();
        }
        counters.close();
        wakeups.close();
    }

    private void onAdd(final Agent agent)
    {
        agent.onStart();
        if (agent instanceof final WakeupSource source)
        {
            source.wakeups().forEach(wakeups::add);
        }
        else
        {
            wakeups.add(null);
        }
        final Agent[] grown = Arrays.copyOf(agents, agents.length + 1);
        grown[agents.length] = agent;
        agents = grown;
    }

    private void onAgentFault(final Agent agent, final Throwable fault)
    {
        counters.agentErrors().incrementRelease();
        faulted.add(agent);
        unbind(agent);
        try
        {
            // the handler counts it and writes the one log line
            errorHandler.onError(new AgentStoppedException(name, agent.roleName(), fault));
        }
        catch (final RuntimeException ignore)
        {
            // the handler's own failure must not take the worker down either
        }
    }

    private void onRemove(final Agent agent)
    {
        if (faulted.remove(agent))
        {
            // already stopped by its fault: the removal its owner asks for is done
            return;
        }
        if (Arrays.asList(agents).indexOf(agent) < 0)
        {
            throw new IllegalArgumentException(agent.roleName() + " is not bound to worker " + name);
        }
        unbind(agent);
    }

    private void unbind(final Agent agent)
    {
        final int index = Arrays.asList(agents).indexOf(agent);
        final Agent[] shrunk = new Agent[agents.length - 1];
        System.arraycopy(agents, 0, shrunk, 0, index);
        System.arraycopy(agents, index + 1, shrunk, index, shrunk.length - index);
        agents = shrunk;
        if (agent instanceof final WakeupSource source)
        {
            source.wakeups().forEach(wakeups::remove);
        }
        else
        {
            wakeups.remove(null);
        }
        closeQuietly(agent);
    }

    private void closeQuietly(final Agent agent)
    {
        try
        {
            agent.onClose();
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void pin()
    {
        final int target = cpu;
        if (target < 0)
        {
            pinned = false;
            counters.cpu().setRelease(-1);
            return;
        }
        final int errno = CpuAffinity.pinCurrentThread(target);
        pinned = 0 == errno;
        counters.cpu().setRelease(pinned ? target : -1);
        if (!pinned)
        {
            // once per worker and request, never per cycle
            LOG.warn("worker {}: pinning to cpu {} refused (errno {}); running unpinned", name, target, errno);
        }
        else
        {
            LOG.info("worker {} pinned to cpu {}", name, target);
        }
    }
}
