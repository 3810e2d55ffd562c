package io.vplane.blockstore.backend;

import io.vplane.blockstore.nbd.NbdProtocol;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A disk kept on another NBD server ({@code nbd://host:port/export}): vplane as an NBD client,
 * proxying each request. Each blk worker thread gets a connection of its own (opened on first use)
 * and waits for the reply, like the file backend waits for pread/pwrite. FLUSH goes to every
 * connection unless the remote server promises multi-conn consistency.
 */
public final class NbdClientBackend implements StorageBackend
{
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int IO_TIMEOUT_MS = 60_000;
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    /** The port of an nbd:// URI that names none (IANA, NBD proto.md). */
    public static final int DEFAULT_PORT = 10809;

    private final String host;
    private final int port;
    private final String export;
    private final long sizeBytes;
    private final int flags;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Connection> unclaimed = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Connection> own = new ThreadLocal<>();

    private NbdClientBackend(final String host, final int port, final String export, final Connection first)
    {
        this.host = host;
        this.port = port;
        this.export = export;
        this.sizeBytes = first.size;
        this.flags = first.flags;
        connections.add(first);
        unclaimed.add(first);
    }

    /** @param uri {@code nbd://host[:port]/export}; the export name may be empty */
    public static NbdClientBackend open(final String uri) throws IOException
    {
        final URI parsed = URI.create(uri);
        if (!"nbd".equals(parsed.getScheme()) || null == parsed.getHost())
        {
            throw new IOException("not an nbd://host[:port]/export URI: " + uri);
        }
        final int port = parsed.getPort() < 0 ? DEFAULT_PORT : parsed.getPort();
        final String path = null == parsed.getPath() ? "" : parsed.getPath();
        final String export = path.startsWith("/") ? path.substring(1) : path;
        return new NbdClientBackend(parsed.getHost(), port, export, Connection.open(parsed.getHost(), port, export));
    }

    public static boolean isUri(final String image)
    {
        return image.startsWith("nbd://");
    }

    @Override
    public long sizeBytes()
    {
        return sizeBytes;
    }

    @Override
    public void read(final long offset, final ByteBuffer dst) throws IOException
    {
        final Connection connection = connection();
        synchronized (connection)
        {
            connection.send(0, NbdProtocol.CMD_READ, offset, dst.remaining(), null);
            connection.awaitReply();
            final byte[] chunk = new byte[Math.min(dst.remaining(), 65536)];
            while (dst.hasRemaining())
            {
                final int n = Math.min(chunk.length, dst.remaining());
                connection.in.readFully(chunk, 0, n);
                dst.put(chunk, 0, n);
            }
        }
    }

    @Override
    public void write(final long offset, final ByteBuffer src) throws IOException
    {
        final Connection connection = connection();
        synchronized (connection)
        {
            connection.send(0, NbdProtocol.CMD_WRITE, offset, src.remaining(), src);
            connection.awaitReply();
        }
    }

    @Override
    public void flush() throws IOException
    {
        if (0 == (flags & NbdProtocol.TFLAG_SEND_FLUSH))
        {
            return;
        }
        if (0 != (flags & NbdProtocol.TFLAG_CAN_MULTI_CONN))
        {
            command(connection(), NbdProtocol.CMD_FLUSH, 0, 0, 0);
            return;
        }
        // Without multi-conn a flush covers only its own connection's writes.
        for (final Connection connection : connections)
        {
            command(connection, NbdProtocol.CMD_FLUSH, 0, 0, 0);
        }
    }

    @Override
    public void trim(final long offset, final long length) throws IOException
    {
        if (0 != (flags & NbdProtocol.TFLAG_SEND_TRIM))
        {
            command(connection(), NbdProtocol.CMD_TRIM, 0, offset, length);
        }
    }

    @Override
    public int writeZeroes(final long offset, final long length, final boolean mayPunch, final boolean fastOnly)
        throws IOException
    {
        if (0 != (flags & NbdProtocol.TFLAG_SEND_WRITE_ZEROES))
        {
            if (fastOnly && 0 == (flags & NbdProtocol.TFLAG_SEND_FAST_ZERO))
            {
                return NOT_FAST;
            }
            final int commandFlags = (mayPunch ? 0 : NbdProtocol.CMD_FLAG_NO_HOLE) |
                (fastOnly ? NbdProtocol.CMD_FLAG_FAST_ZERO : 0);
            final int error = commandAllowingError(connection(), NbdProtocol.CMD_WRITE_ZEROES, commandFlags, offset, length);
            if (NbdProtocol.ENOTSUP == error && fastOnly)
            {
                return NOT_FAST;
            }
            if (0 != error)
            {
                throw new IOException("remote WRITE_ZEROES failed with error " + error);
            }
            return ZEROED;
        }
        if (fastOnly)
        {
            return NOT_FAST;
        }
        final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);
        for (long position = offset; position < offset + length; position += ZERO_CHUNK_BYTES)
        {
            zeros.clear().limit((int)Math.min(ZERO_CHUNK_BYTES, offset + length - position));
            write(position, zeros);
        }
        return ZEROED;
    }

    /** Holes are not tracked through the proxy: everything reads as data. */
    @Override
    public long nextData(final long offset)
    {
        return offset;
    }

    @Override
    public long nextHole(final long offset)
    {
        return sizeBytes;
    }

    @Override
    public long holeGeneration()
    {
        return 0;
    }

    @Override
    public void close()
    {
        for (final Connection connection : connections)
        {
            connection.close();
        }
    }

    private Connection connection() throws IOException
    {
        Connection connection = own.get();
        if (null == connection)
        {
            connection = unclaimed.poll();
            if (null == connection)
            {
                connection = Connection.open(host, port, export);
                connections.add(connection);
            }
            own.set(connection);
        }
        return connection;
    }

    private static void command(
        final Connection connection, final int type, final int commandFlags, final long offset, final long length)
        throws IOException
    {
        final int error = commandAllowingError(connection, type, commandFlags, offset, length);
        if (0 != error)
        {
            throw new IOException("remote " + NbdProtocol.commandName(type) + " failed with error " + error);
        }
    }

    private static int commandAllowingError(
        final Connection connection, final int type, final int commandFlags, final long offset, final long length)
        throws IOException
    {
        synchronized (connection)
        {
            connection.send(commandFlags, type, offset, length, null);
            return connection.replyError();
        }
    }

    /** One blocking connection in the transmission phase; simple replies only. */
    private static final class Connection
    {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        long size;
        int flags;
        long nextCookie;

        private Connection(final Socket socket) throws IOException
        {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        }

        static Connection open(final String host, final int port, final String export) throws IOException
        {
            final Socket socket = new Socket();
            try
            {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                socket.setSoTimeout(IO_TIMEOUT_MS);
                socket.setTcpNoDelay(true);
                final Connection connection = new Connection(socket);
                connection.handshake(export);
                return connection;
            }
            catch (final IOException | RuntimeException ex)
            {
                socket.close();
                throw new IOException("NBD server " + host + ":" + port + " export '" + export + "': " + ex.getMessage(), ex);
            }
        }

        /** Fixed newstyle, then NBD_OPT_GO (proto.md: "Option haggling"). */
        private void handshake(final String export) throws IOException
        {
            if (in.readLong() != NbdProtocol.NBDMAGIC || in.readLong() != NbdProtocol.IHAVEOPT)
            {
                throw new IOException("not a newstyle NBD server");
            }
            final int serverFlags = in.readUnsignedShort();
            if (0 == (serverFlags & NbdProtocol.FLAG_FIXED_NEWSTYLE))
            {
                throw new IOException("server does not speak fixed newstyle");
            }
            final boolean noZeroes = 0 != (serverFlags & NbdProtocol.FLAG_NO_ZEROES);
            out.writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE | (noZeroes ? NbdProtocol.CLIENT_FLAG_NO_ZEROES : 0));
            final byte[] name = export.getBytes(StandardCharsets.UTF_8);
            out.writeLong(NbdProtocol.IHAVEOPT);
            out.writeInt(NbdProtocol.OPT_GO);
            out.writeInt(4 + name.length + 2);
            out.writeInt(name.length);
            out.write(name);
            out.writeShort(0);
            out.flush();
            while (true)
            {
                if (in.readLong() != NbdProtocol.OPTION_REPLY_MAGIC)
                {
                    throw new IOException("bad option reply magic");
                }
                in.readInt();
                final int type = in.readInt();
                final int length = in.readInt();
                if (length < 0 || length > NbdProtocol.MAX_STRING_BYTES + 16)
                {
                    throw new IOException("option reply of " + length + " bytes");
                }
                final byte[] data = new byte[length];
                in.readFully(data);
                if (type == NbdProtocol.REP_ACK)
                {
                    if (0 == size)
                    {
                        throw new IOException("server sent no NBD_INFO_EXPORT");
                    }
                    return;
                }
                if (type < 0)
                {
                    // The server's own text is not passed on: errors reach API callers and logs.
                    throw new IOException("GO refused (reply 0x" + Integer.toHexString(type) + ")");
                }
                final ByteBuffer info = ByteBuffer.wrap(data);
                if (type == NbdProtocol.REP_INFO && length >= 12 && info.getShort() == NbdProtocol.INFO_EXPORT)
                {
                    size = info.getLong();
                    flags = info.getShort() & 0xFFFF;
                }
            }
        }

        void send(final int commandFlags, final int type, final long offset, final long length, final ByteBuffer data)
            throws IOException
        {
            out.writeInt(NbdProtocol.REQUEST_MAGIC);
            out.writeShort(commandFlags);
            out.writeShort(type);
            out.writeLong(++nextCookie);
            out.writeLong(offset);
            out.writeInt((int)length);
            if (null != data)
            {
                final byte[] chunk = new byte[Math.min(data.remaining(), 65536)];
                while (data.hasRemaining())
                {
                    final int n = Math.min(chunk.length, data.remaining());
                    data.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
            out.flush();
        }

        /** Reads the simple reply to the request just sent; @return its error value */
        int replyError() throws IOException
        {
            if (in.readInt() != NbdProtocol.SIMPLE_REPLY_MAGIC)
            {
                throw new IOException("expected a simple reply");
            }
            final int error = in.readInt();
            if (in.readLong() != nextCookie)
            {
                throw new IOException("reply for another request");
            }
            return error;
        }

        void awaitReply() throws IOException
        {
            final int error = replyError();
            if (0 != error)
            {
                throw new IOException("remote NBD error " + error);
            }
        }

        void close()
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
    }
}
