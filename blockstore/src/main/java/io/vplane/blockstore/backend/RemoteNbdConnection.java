package io.vplane.blockstore.backend;

import io.vplane.blockstore.nbd.NbdProtocol;
import io.vplane.blockstore.request.BlockCompletions;
import io.vplane.blockstore.request.BlockError;
import io.vplane.blockstore.request.BlockFlags;
import io.vplane.blockstore.request.BlockRequest;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection to a remote NBD server in the transmission phase, with up to {@link #SLOTS}
 * requests in flight. Blk workers submit and return at once; a sender thread writes the requests
 * and a reader thread reads the replies (simple replies only) and hands each finished request to
 * its {@link BlockCompletions}. A request not answered within the timeout fails the connection:
 * every request in flight completes with {@link BlockError#IO} and the socket is closed.
 *
 * <p>Only the reader completes requests, so a reply's data is never written into a buffer whose
 * request already completed.
 */
final class RemoteNbdConnection implements AutoCloseable
{
    /** Requests in flight at most (nbdcopy keeps 64; qemu 16). */
    static final int SLOTS = 64;
    private static final Logger LOG = LoggerFactory.getLogger(RemoteNbdConnection.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int COPY_BYTES = 64 * 1024;
    /** Zeros are sent in WRITEs of this size when the server cannot WRITE_ZEROES. */
    private static final int ZERO_WRITE_BYTES = 1 << 20;
    private static final int FREE = 0;
    private static final int BUSY = 1;

    private final String peer;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final long sizeBytes;
    final int transmissionFlags;
    private final long timeoutNs;
    private final Slot[] slots = new Slot[SLOTS];
    private final ManyToManyConcurrentArrayQueue<Slot> free = new ManyToManyConcurrentArrayQueue<>(SLOTS);
    private final ManyToOneConcurrentArrayQueue<Slot> toSend = new ManyToOneConcurrentArrayQueue<>(SLOTS);
    /** Sender thread only. */
    private final byte[] sendCopy = new byte[COPY_BYTES];
    private final byte[] zeros = new byte[COPY_BYTES];
    private final ByteBuffer header = ByteBuffer.allocate(28);
    /** Reader thread only. */
    private final byte[] receiveCopy = new byte[COPY_BYTES];
    private final ByteBuffer reply = ByteBuffer.allocate(16);
    private volatile boolean broken;
    private Thread sender;
    private Thread reader;

    /** One request on the wire: filled by the submitting worker, completed by the reader. */
    private static final class Slot
    {
        final int index;
        volatile int state = FREE;
        BlockRequest request;
        BlockCompletions done;
        ByteBuffer single;
        ByteBuffer[] pieces;
        int type;
        int commandFlags;
        /** Replies still expected: a WRITE followed by a FLUSH for FUA, or zeros sent in several WRITEs. */
        int replies;
        int firstError;
        long startNs;

        Slot(final int index)
        {
            this.index = index;
        }
    }

    private RemoteNbdConnection(
        final String peer, final Socket socket, final InputStream in, final OutputStream out, final long sizeBytes,
        final int transmissionFlags, final long timeoutNs)
    {
        this.peer = peer;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.sizeBytes = sizeBytes;
        this.transmissionFlags = transmissionFlags;
        this.timeoutNs = timeoutNs;
        for (int i = 0; i < SLOTS; i++)
        {
            slots[i] = new Slot(i);
            free.offer(slots[i]);
        }
    }

    /** Connects, haggles (NBD_OPT_GO) and starts the sender and reader; bounded by the timeout throughout. */
    static RemoteNbdConnection open(final String host, final int port, final String export, final long timeoutMs)
        throws IOException
    {
        final Socket socket = new Socket();
        final String peer = host + ":" + port + " export '" + export + "'";
        try
        {
            socket.connect(new InetSocketAddress(host, port), (int)Math.min(CONNECT_TIMEOUT_MS, timeoutMs));
            socket.setSoTimeout((int)timeoutMs);
            socket.setTcpNoDelay(true);
            final InputStream in = socket.getInputStream();
            final OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            final RemoteHandshake handshake = RemoteHandshake.go(in, out, export);
            // Replies are polled so that a request past its deadline is noticed while nothing arrives.
            socket.setSoTimeout((int)Math.clamp(timeoutMs / 4, 10, 1_000));
            final RemoteNbdConnection connection = new RemoteNbdConnection(peer, socket, in, out, handshake.sizeBytes(),
                handshake.transmissionFlags(), TimeUnit.MILLISECONDS.toNanos(timeoutMs));
            connection.start();
            return connection;
        }
        catch (final IOException | RuntimeException ex)
        {
            socket.close();
            throw new IOException("NBD server " + peer + ": " + ex.getMessage(), ex);
        }
    }

    private void start()
    {
        sender = Thread.ofVirtual().name("nbd-client-send " + peer).start(this::sendLoop);
        reader = Thread.ofVirtual().name("nbd-client-receive " + peer).start(this::receiveLoop);
    }

    boolean broken()
    {
        return broken;
    }

    boolean has(final int transmissionFlag)
    {
        return 0 != (transmissionFlags & transmissionFlag);
    }

    /**
     * Puts {@code request} on the wire (see {@link BackendChannel#submit}). A request the server
     * cannot do and need not (TRIM, FLUSH it does not offer) completes at once.
     *
     * @return false when every slot is taken
     */
    boolean submit(final BlockRequest request, final ByteBuffer[] data, final BlockCompletions done)
    {
        final Slot slot = free.poll();
        if (null == slot)
        {
            return false;
        }
        if (broken)
        {
            free.offer(slot);
            done.completed(request, BlockError.IO);
            return true;
        }
        int type;
        int flags = 0;
        int replies = 1;
        switch (request.op())
        {
            case READ -> type = NbdProtocol.CMD_READ;
            case WRITE ->
            {
                type = NbdProtocol.CMD_WRITE;
                if (request.hasFlag(BlockFlags.FUA))
                {
                    if (has(NbdProtocol.TFLAG_SEND_FUA))
                    {
                        flags = NbdProtocol.CMD_FLAG_FUA;
                    }
                    else if (has(NbdProtocol.TFLAG_SEND_FLUSH))
                    {
                        replies = 2; // a FLUSH follows the WRITE
                    }
                }
            }
            case FLUSH -> type = NbdProtocol.CMD_FLUSH;
            case TRIM -> type = NbdProtocol.CMD_TRIM;
            case WRITE_ZEROES ->
            {
                type = NbdProtocol.CMD_WRITE_ZEROES;
                flags = request.hasFlag(BlockFlags.NO_HOLE) ? NbdProtocol.CMD_FLAG_NO_HOLE : 0;
                if (request.hasFlag(BlockFlags.FAST_ZERO))
                {
                    flags |= NbdProtocol.CMD_FLAG_FAST_ZERO;
                }
                if (!has(NbdProtocol.TFLAG_SEND_WRITE_ZEROES))
                {
                    if (request.hasFlag(BlockFlags.FAST_ZERO))
                    {
                        free.offer(slot);
                        done.completed(request, BlockError.NOT_SUPPORTED);
                        return true;
                    }
                    type = NbdProtocol.CMD_WRITE;
                    replies = (int)((request.length() + ZERO_WRITE_BYTES - 1) / ZERO_WRITE_BYTES);
                }
                else if (request.hasFlag(BlockFlags.FAST_ZERO) && !has(NbdProtocol.TFLAG_SEND_FAST_ZERO))
                {
                    free.offer(slot);
                    done.completed(request, BlockError.NOT_SUPPORTED);
                    return true;
                }
            }
            default ->
            {
                free.offer(slot);
                done.completed(request, BlockError.INVALID);
                return true;
            }
        }
        if ((NbdProtocol.CMD_FLUSH == type && !has(NbdProtocol.TFLAG_SEND_FLUSH)) ||
            (NbdProtocol.CMD_TRIM == type && !has(NbdProtocol.TFLAG_SEND_TRIM)))
        {
            free.offer(slot); // advisory or nothing to make durable: done
            done.completed(request, BlockError.NONE);
            return true;
        }
        if (0 == replies)
        {
            free.offer(slot); // nothing to zero
            done.completed(request, BlockError.NONE);
            return true;
        }
        slot.request = request;
        slot.done = done;
        slot.single = null == data ? null : data[0];
        slot.pieces = null == data || 1 == data.length ? null : data;
        slot.type = type;
        slot.commandFlags = flags;
        slot.replies = replies;
        slot.firstError = 0;
        slot.startNs = System.nanoTime();
        slot.state = BUSY; // publishes the fields to the reader (volatile)
        toSend.offer(slot); // never full: it holds at most the taken slots
        LockSupport.unpark(sender);
        return true;
    }

    private void sendLoop()
    {
        try
        {
            while (!broken)
            {
                final Slot slot = toSend.poll();
                if (null == slot)
                {
                    out.flush(); // one write for every request of the burst
                    LockSupport.park(this);
                    continue;
                }
                send(slot);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            fail("sending failed: " + ex.getMessage());
        }
    }

    private void send(final Slot slot) throws IOException
    {
        final BlockRequest request = slot.request;
        if (NbdProtocol.CMD_WRITE == slot.type && null == slot.single && null == slot.pieces)
        {
            sendZeros(slot, request.offset(), request.length());
            return;
        }
        final long length = NbdProtocol.CMD_FLUSH == slot.type ? 0 : request.length();
        sendHeader(slot, slot.type, slot.commandFlags, request.offset(), length);
        if (NbdProtocol.CMD_WRITE == slot.type)
        {
            if (null != slot.pieces)
            {
                for (final ByteBuffer piece : slot.pieces)
                {
                    sendData(piece);
                }
            }
            else
            {
                sendData(slot.single);
            }
            if (2 == slot.replies)
            {
                sendHeader(slot, NbdProtocol.CMD_FLUSH, 0, 0, 0);
            }
        }
    }

    /** WRITE_ZEROES for a server without it: WRITEs of zeros, one reply each. */
    private void sendZeros(final Slot slot, final long offset, final long length) throws IOException
    {
        for (long done = 0; done < length; done += ZERO_WRITE_BYTES)
        {
            final int n = (int)Math.min(ZERO_WRITE_BYTES, length - done);
            sendHeader(slot, NbdProtocol.CMD_WRITE, 0, offset + done, n);
            for (int sent = 0; sent < n; sent += zeros.length)
            {
                out.write(zeros, 0, Math.min(zeros.length, n - sent));
            }
        }
    }

    /** NBD proto.md: "Request message"; the cookie is the slot's index. */
    private void sendHeader(final Slot slot, final int type, final int flags, final long offset, final long length)
        throws IOException
    {
        header.clear().putInt(NbdProtocol.REQUEST_MAGIC).putShort((short)flags).putShort((short)type)
            .putLong(slot.index).putLong(offset).putInt((int)length);
        out.write(header.array(), 0, header.position());
    }

    private void sendData(final ByteBuffer data) throws IOException
    {
        for (int at = data.position(); at < data.limit(); )
        {
            final int n = Math.min(sendCopy.length, data.limit() - at);
            data.get(at, sendCopy, 0, n);
            out.write(sendCopy, 0, n);
            at += n;
        }
    }

    private void receiveLoop()
    {
        String reason = "closed";
        try
        {
            while (!broken)
            {
                readFully(reply.array(), 16);
                if (reply.getInt(0) != NbdProtocol.SIMPLE_REPLY_MAGIC)
                {
                    throw new IOException("expected a simple reply");
                }
                final int error = reply.getInt(4);
                final long cookie = reply.getLong(8);
                final Slot slot = cookie >= 0 && cookie < SLOTS ? slots[(int)cookie] : null;
                if (null == slot || BUSY != slot.state)
                {
                    throw new IOException("reply for no request in flight (cookie " + cookie + ")");
                }
                if (NbdProtocol.CMD_READ == slot.type && 0 == error)
                {
                    receiveData(slot.single);
                }
                if (0 == slot.firstError)
                {
                    slot.firstError = error;
                }
                if (0 == --slot.replies)
                {
                    finish(slot, 0 == slot.firstError ? BlockError.NONE : errorOf(slot.firstError));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            reason = ex.getMessage();
        }
        fail(reason);
        failInFlight();
    }

    /** Reads {@code length} bytes, noticing a request past its deadline while it waits. */
    private void readFully(final byte[] into, final int length) throws IOException
    {
        int at = 0;
        while (at < length)
        {
            at += read(into, at, length - at);
        }
    }

    private int read(final byte[] into, final int offset, final int length) throws IOException
    {
        while (true)
        {
            try
            {
                final int n = in.read(into, offset, length);
                if (n < 0)
                {
                    throw new EOFException("the server closed the connection");
                }
                return n;
            }
            catch (final SocketTimeoutException ex)
            {
                if (overdue())
                {
                    throw new IOException("no reply within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
                }
            }
        }
    }

    private void receiveData(final ByteBuffer dst) throws IOException
    {
        int at = dst.position();
        final int end = dst.limit();
        while (at < end)
        {
            final int n = read(receiveCopy, 0, Math.min(receiveCopy.length, end - at));
            dst.put(at, receiveCopy, 0, n);
            at += n;
        }
    }

    private boolean overdue()
    {
        final long now = System.nanoTime();
        for (final Slot slot : slots)
        {
            if (BUSY == slot.state && now - slot.startNs - timeoutNs > 0)
            {
                return true;
            }
        }
        return false;
    }

    /** Reader thread only. */
    private void finish(final Slot slot, final BlockError error)
    {
        final BlockRequest request = slot.request;
        final BlockCompletions done = slot.done;
        slot.request = null;
        slot.done = null;
        slot.single = null;
        slot.pieces = null;
        slot.state = FREE;
        free.offer(slot);
        done.completed(request, error);
    }

    /**
     * Reader thread, after the connection broke: completes every request in flight with an error,
     * including one a worker submits meanwhile (it saw the connection whole just before), until
     * every slot is free again.
     */
    private void failInFlight()
    {
        while (free.size() < SLOTS)
        {
            for (final Slot slot : slots)
            {
                if (BUSY == slot.state)
                {
                    finish(slot, BlockError.IO);
                }
            }
            Thread.onSpinWait();
        }
    }

    private void fail(final String reason)
    {
        if (!broken)
        {
            broken = true;
            LOG.warn("NBD server {}: connection dropped ({}); requests in flight fail with EIO", peer, reason);
        }
        closeSocket();
        LockSupport.unpark(sender);
    }

    /** NBD proto.md: "Error values" are errno values; anything unknown is an I/O error. */
    private static BlockError errorOf(final int errno)
    {
        for (final BlockError error : BlockError.values())
        {
            if (error.errno() == errno)
            {
                return error;
            }
        }
        return BlockError.IO;
    }

    private void closeSocket()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // Closing; nothing to save.
        }
    }

    @Override
    public void close()
    {
        broken = true;
        closeSocket();
        if (null != sender)
        {
            LockSupport.unpark(sender);
        }
    }

    /** For log lines. */
    @Override
    public String toString()
    {
        return peer;
    }
}
