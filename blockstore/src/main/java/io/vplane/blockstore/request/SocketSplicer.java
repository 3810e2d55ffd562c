package io.vplane.blockstore.request;

import io.vplane.engine.linux.Errno;
import io.vplane.engine.linux.FileIo;
import io.vplane.engine.linux.Pipes;
import io.vplane.engine.linux.Poll;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A connection's socket as a blk worker reads it while a large WRITE's payload arrives: a
 * descriptor of its own for the socket and a pipe, so the payload goes socket → pipe → image with
 * splice(2) and is copied once, by the kernel, into the page cache, instead of into a receive
 * buffer and again into the image. The socket descriptor is a duplicate so the worker never reads
 * a number the event loop closed and the system gave to another file meanwhile.
 *
 * <p>Used by one thread at a time: the event loop lends it with a request and a worker gives it
 * back (see {@link BlockOrigin#returnSocket}).
 */
public final class SocketSplicer implements AutoCloseable
{
    /** Pipe buffer asked for: a 1 MiB WRITE moves through it in one go (Linux allows up to pipe-max-size, 1 MiB by default). */
    static final int PIPE_BYTES = 1 << 20;
    private static final int PAGE_BYTES = 4096;
    private static final int DRAIN_BYTES = 64 * 1024;

    private final int socket;
    private final int pipeRead;
    private final int pipeWrite;
    private final int capacity;

    private SocketSplicer(final int socket, final int pipeRead, final int pipeWrite, final int capacity)
    {
        this.socket = socket;
        this.pipeRead = pipeRead;
        this.pipeWrite = pipeWrite;
        this.capacity = capacity;
    }

    /**
     * @param socketFd the connection's (non-blocking) socket
     * @throws IOException when a descriptor could not be had (the process ran out of them)
     */
    public static SocketSplicer open(final int socketFd) throws IOException
    {
        final int socket = FileIo.dup(socketFd);
        if (socket < 0)
        {
            throw new IOException("dup of the socket failed: " + Errno.describe(-socket));
        }
        final int[] pipe = new int[2];
        final int rc = Pipes.pipe(pipe, FileIo.O_NONBLOCK | FileIo.O_CLOEXEC);
        if (rc < 0)
        {
            FileIo.close(socket);
            throw new IOException("pipe2 failed: " + Errno.describe(-rc));
        }
        // A pipe that cannot grow (the user's pipe-user-pages-soft limit) stays smaller: smaller moves, same result.
        final int size = Pipes.setSize(pipe[1], PIPE_BYTES);
        return new SocketSplicer(socket, pipe[0], pipe[1], size > 0 ? size : Math.max(PAGE_BYTES, Pipes.size(pipe[1])));
    }

    /**
     * Moves bytes that arrived on the socket into the pipe, which must be empty; does not wait.
     *
     * @return bytes moved (at most {@code max}), 0 when the client closed, or -errno ({@code
     * -EAGAIN}: nothing arrived yet)
     */
    public long fill(final int max)
    {
        return Pipes.splice(socket, pipeWrite, -1, Math.min(max, capacity), Pipes.SPLICE_F_MOVE | Pipes.SPLICE_F_NONBLOCK);
    }

    /** The pipe's read end, for the backend to splice into the image from. */
    public int pipe()
    {
        return pipeRead;
    }

    /** Waits up to {@code timeoutMs} for bytes (or the end of the connection). @return false on timeout */
    public boolean await(final int timeoutMs)
    {
        return Poll.awaitReadable(socket, timeoutMs) != 0;
    }

    /** Throws away what is left in the pipe: bytes of a WRITE that failed, kept off the next request. */
    public void drain()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment scratch = arena.allocate(DRAIN_BYTES);
            while (FileIo.read(pipeRead, scratch, DRAIN_BYTES) > 0)
            {
                // keep reading until the pipe is empty (EAGAIN)
            }
        }
    }

    @Override
    public void close()
    {
        FileIo.close(pipeRead);
        FileIo.close(pipeWrite);
        FileIo.close(socket);
    }
}
