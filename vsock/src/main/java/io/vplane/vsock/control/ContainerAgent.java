package io.vplane.vsock.control;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The container-control component in a VM: listens (AF_VSOCK, TCP, a Unix socket, or a vsock
 * stream relayed to either), proves the host knows the VM's secret (challenge, HMAC-SHA256 answer: the secret
 * never travels), then applies each COMMAND once through its {@link ContainerRuntime}: ACK on
 * receipt, RESULT after, the result recorded in its {@link AppliedJournal} before it is sent, so a
 * command the host sends again is answered from the journal, never applied twice.
 * <p>
 * Bad input never stops it: a bad frame gets an ERROR frame (and the connection is closed when the
 * stream is out of step), a wrong answer to the challenge closes the connection, and more than
 * {@code maxConnections} at once are closed at accept; each is counted and logged once per
 * connection.
 */
public final class ContainerAgent implements AutoCloseable
{
    private static final Logger LOG = Logger.getLogger(ContainerAgent.class.getName());
    private static final String HMAC = "HmacSHA256";

    private final AgentListener server;
    private final byte[] secret;
    private final ContainerRuntime runtime;
    private final AppliedJournal journal;
    private final Semaphore slots;
    private final SecureRandom random = new SecureRandom();
    private final Thread acceptor;
    private final java.util.Set<ByteChannel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    final AtomicLong applied = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong badFrames = new AtomicLong();
    final AtomicLong authFailures = new AtomicLong();
    final AtomicLong refused = new AtomicLong();

    public ContainerAgent(
        final ServerSocketChannel server, final byte[] secret, final ContainerRuntime runtime, final AppliedJournal journal,
        final int maxConnections)
    {
        this(AgentListener.of(server), secret, runtime, journal, maxConnections);
    }

    public ContainerAgent(
        final AgentListener server, final byte[] secret, final ContainerRuntime runtime, final AppliedJournal journal,
        final int maxConnections)
    {
        if (secret.length < 16)
        {
            throw new IllegalArgumentException("the secret must have at least 16 bytes");
        }
        this.server = server;
        this.secret = secret.clone();
        this.runtime = runtime;
        this.journal = journal;
        this.slots = new Semaphore(maxConnections);
        this.acceptor = Thread.ofPlatform().name("vplane-agent-accept").daemon().unstarted(this::acceptLoop);
    }

    public ContainerAgent start()
    {
        acceptor.start();
        return this;
    }

    /** Counters: applied, duplicates, bad frames, auth failures, refused connections. */
    public long[] counters()
    {
        return new long[] {applied.get(), duplicates.get(), badFrames.get(), authFailures.get(), refused.get()};
    }

    private void acceptLoop()
    {
        while (running)
        {
            final ByteChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    LOG.warning("accept failed: " + ex);
                }
                return;
            }
            if (!slots.tryAcquire())
            {
                refused.incrementAndGet();
                LOG.warning("connection refused: all connection slots are in use");
                closeQuietly(channel);
                continue;
            }
            noDelay(channel);
            open.add(channel);
            Thread.ofVirtual().name("vplane-agent-conn").start(() ->
            {
                try
                {
                    serve(channel);
                }
                finally
                {
                    open.remove(channel);
                    slots.release();
                }
            });
        }
    }

    private void serve(final ByteChannel channel)
    {
        try (FrameChannel frames = new FrameChannel(channel))
        {
            if (!authenticate(frames))
            {
                return;
            }
            while (running)
            {
                final ControlFrame frame;
                try
                {
                    frame = frames.read();
                }
                catch (final ControlFrame.FrameException ex)
                {
                    badFrames.incrementAndGet();
                    LOG.warning("bad frame from the host: " + ex.getMessage());
                    frames.write(ControlFrame.error(ex.id(), ex.code(), ex.getMessage()));
                    if (ex.code() == ControlFrame.ERROR_TOO_LONG)
                    {
                        return;
                    }
                    continue;
                }
                if (frame.type() != ControlFrame.COMMAND)
                {
                    badFrames.incrementAndGet();
                    frames.write(ControlFrame.error(frame.id(), ControlFrame.ERROR_TYPE, "frame type " + frame.type() + " is not a command"));
                    continue;
                }
                frames.write(apply(frame, frames));
            }
        }
        catch (final EOFException ex)
        {
            // the host went away; it reconnects and re-sends what it saw no result for
        }
        catch (final IOException ex)
        {
            LOG.info("connection ended: " + ex);
        }
    }

    private boolean authenticate(final FrameChannel frames) throws IOException
    {
        final byte[] nonce = new byte[ControlFrame.NONCE];
        random.nextBytes(nonce);
        frames.write(ControlFrame.challenge(nonce));
        final ControlFrame answer;
        try
        {
            answer = frames.read();
        }
        catch (final ControlFrame.FrameException ex)
        {
            authFailures.incrementAndGet();
            LOG.warning("host failed authentication: " + ex.getMessage());
            return false;
        }
        if (answer.type() != ControlFrame.AUTH || !MessageDigest.isEqual(answer.bytes(), mac(secret, nonce)))
        {
            authFailures.incrementAndGet();
            LOG.warning("host failed authentication: wrong answer to the challenge");
            frames.write(ControlFrame.error(0, ControlFrame.ERROR_AUTH, "authentication failed"));
            return false;
        }
        frames.write(ControlFrame.ack(0));
        return true;
    }

    /** The one place commands are applied: one at a time, each id once. */
    private synchronized ControlFrame apply(final ControlFrame command, final FrameChannel frames) throws IOException
    {
        if (!running)
        {
            // closing: apply nothing more, the host re-sends it to the next agent
            throw new EOFException("the agent is closing");
        }
        final ControlFrame known = journal.result(command.id());
        if (null != known)
        {
            duplicates.incrementAndGet();
            return known;
        }
        frames.write(ControlFrame.ack(command.id()));
        ControlFrame result;
        try
        {
            switch (command.op())
            {
                case ControlFrame.OP_SCALE -> runtime.scale(command.target(), command.value());
                case ControlFrame.OP_MEMORY -> runtime.memory(command.target(), command.value());
                case ControlFrame.OP_STORAGE -> runtime.storage(command.target(), command.value());
                default -> throw new IllegalArgumentException("unknown operation " + command.op());
            }
            result = ControlFrame.result(command.id(), ControlFrame.STATUS_APPLIED, "");
            applied.incrementAndGet();
        }
        catch (final RuntimeException ex)
        {
            result = ControlFrame.result(command.id(), ControlFrame.STATUS_FAILED, String.valueOf(ex.getMessage()));
        }
        journal.record(result);
        return result;
    }

    /** HMAC-SHA256 of the challenge under the VM's secret: what the host answers. */
    public static byte[] mac(final byte[] secret, final byte[] nonce)
    {
        try
        {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            return mac.doFinal(nonce);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(HMAC + " is not available", ex);
        }
    }

    /** TCP: frames go out at once (ACK then RESULT would otherwise wait for the host's delayed ACK). */
    private static void noDelay(final ByteChannel channel)
    {
        try
        {
            if (channel instanceof SocketChannel socket && socket.supportedOptions().contains(java.net.StandardSocketOptions.TCP_NODELAY))
            {
                socket.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            }
        }
        catch (final IOException ignore)
        {
            // only latency
        }
    }

    private static void closeQuietly(final ByteChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // already gone
        }
    }

    @Override
    public void close() throws IOException
    {
        running = false;
        server.close();
        open.forEach(ContainerAgent::closeQuietly);
        synchronized (this)
        {
            // a command being applied finishes and is journalled before the journal may be closed
        }
        try
        {
            acceptor.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
