package io.vplane.blockstore.nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** A minimal blocking NBD client for tests, speaking the wire format byte by byte. */
public final class NbdTestClient implements AutoCloseable
{
    public record OptionReply(int option, int type, byte[] data)
    {
        public boolean isError()
        {
            return type < 0;
        }

        public String text()
        {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    public record Chunk(int flags, int type, long cookie, byte[] payload)
    {
        public boolean done()
        {
            return 0 != (flags & NbdProtocol.REPLY_FLAG_DONE);
        }

        public int error()
        {
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    private final Socket socket;
    /** Bytes of a request header (proto.md: "Request message"). */
    public static final int REQUEST_HEADER_BYTES = 28;

    public final DataInputStream in;
    public final DataOutputStream out;
    public long exportSize;
    public int transmissionFlags;

    public NbdTestClient(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Reads the greeting and answers with fixed newstyle + no zeroes. */
    public static NbdTestClient handshake(final int port) throws IOException
    {
        final NbdTestClient client = new NbdTestClient(port);
        client.readGreeting();
        client.out.writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE | NbdProtocol.CLIENT_FLAG_NO_ZEROES);
        return client;
    }

    /** Handshake, STRUCTURED_REPLY and base:allocation if asked, then GO; fails unless GO is acknowledged. */
    public static NbdTestClient open(final int port, final String export, final boolean structured) throws IOException
    {
        final NbdTestClient client = handshake(port);
        if (structured)
        {
            client.option(NbdProtocol.OPT_STRUCTURED_REPLY, new byte[0]);
            client.expectAck();
            client.option(NbdProtocol.OPT_SET_META_CONTEXT, metaContextData(export, NbdProtocol.BASE_ALLOCATION));
            client.readUntilAck();
        }
        final List<OptionReply> replies = client.go(export);
        if (replies.getLast().type() != NbdProtocol.REP_ACK)
        {
            throw new IOException("GO refused: " + replies.getLast());
        }
        return client;
    }

    public void readGreeting() throws IOException
    {
        if (in.readLong() != NbdProtocol.NBDMAGIC || in.readLong() != NbdProtocol.IHAVEOPT)
        {
            throw new IOException("bad greeting");
        }
        in.readUnsignedShort();
    }

    public void option(final int option, final byte[] data) throws IOException
    {
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    public OptionReply readOptionReply() throws IOException
    {
        if (in.readLong() != NbdProtocol.OPTION_REPLY_MAGIC)
        {
            throw new IOException("bad option reply magic");
        }
        final int option = in.readInt();
        final int type = in.readInt();
        final byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    public void expectAck() throws IOException
    {
        final OptionReply reply = readOptionReply();
        if (reply.type() != NbdProtocol.REP_ACK)
        {
            throw new IOException("expected ACK, got " + reply);
        }
    }

    /** Replies up to and including the ACK or the first error. */
    public List<OptionReply> readUntilAck() throws IOException
    {
        final List<OptionReply> replies = new ArrayList<>();
        while (true)
        {
            final OptionReply reply = readOptionReply();
            replies.add(reply);
            if (reply.type() == NbdProtocol.REP_ACK || reply.isError())
            {
                return replies;
            }
        }
    }

    public List<OptionReply> go(final String export) throws IOException
    {
        return infoOrGo(NbdProtocol.OPT_GO, export, NbdProtocol.INFO_BLOCK_SIZE, NbdProtocol.INFO_NAME,
            NbdProtocol.INFO_DESCRIPTION);
    }

    public List<OptionReply> infoOrGo(final int option, final String export, final int... infos) throws IOException
    {
        final byte[] name = export.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2 + 2 * infos.length);
        data.putInt(name.length).put(name).putShort((short)infos.length);
        for (final int info : infos)
        {
            data.putShort((short)info);
        }
        option(option, data.array());
        final List<OptionReply> replies = readUntilAck();
        for (final OptionReply reply : replies)
        {
            if (reply.type() == NbdProtocol.REP_INFO && ByteBuffer.wrap(reply.data()).getShort() == NbdProtocol.INFO_EXPORT)
            {
                final ByteBuffer info = ByteBuffer.wrap(reply.data());
                info.getShort();
                exportSize = info.getLong();
                transmissionFlags = info.getShort() & 0xFFFF;
            }
        }
        return replies;
    }

    public static byte[] metaContextData(final String export, final String... queries)
    {
        final byte[] name = export.getBytes(StandardCharsets.UTF_8);
        int length = 4 + name.length + 4;
        for (final String query : queries)
        {
            length += 4 + query.getBytes(StandardCharsets.UTF_8).length;
        }
        final ByteBuffer data = ByteBuffer.allocate(length);
        data.putInt(name.length).put(name).putInt(queries.length);
        for (final String query : queries)
        {
            final byte[] bytes = query.getBytes(StandardCharsets.UTF_8);
            data.putInt(bytes.length).put(bytes);
        }
        return data.array();
    }

    /** Sends a request: its header, then {@code payload} (null: none), which may be shorter than {@code length}. */
    public void request(final int flags, final int type, final long cookie, final long offset, final int length,
        final byte[] payload) throws IOException
    {
        out.write(frame(flags, type, cookie, offset, length, payload));
        out.flush();
    }

    /** A request's bytes: its 28-byte header, then {@code payload} (null: none). */
    public static byte[] frame(final int flags, final int type, final long cookie, final long offset, final int length,
        final byte[] payload)
    {
        final int payloadBytes = null == payload ? 0 : payload.length;
        final ByteBuffer frame = ByteBuffer.allocate(REQUEST_HEADER_BYTES + payloadBytes)
            .putInt(NbdProtocol.REQUEST_MAGIC).putShort((short)flags).putShort((short)type)
            .putLong(cookie).putLong(offset).putInt(length);
        if (null != payload)
        {
            frame.put(payload);
        }
        return frame.array();
    }

    /** Reads a simple reply header; returns the error and checks the cookie. */
    public int readSimpleReply(final long cookie) throws IOException
    {
        final int magic = in.readInt();
        if (magic != NbdProtocol.SIMPLE_REPLY_MAGIC)
        {
            throw new IOException("expected a simple reply, got magic 0x" + Integer.toHexString(magic));
        }
        final int error = in.readInt();
        final long got = in.readLong();
        if (got != cookie)
        {
            throw new IOException("cookie " + got + " instead of " + cookie);
        }
        return error;
    }

    public Chunk readChunk() throws IOException
    {
        final int magic = in.readInt();
        if (magic != NbdProtocol.STRUCTURED_REPLY_MAGIC)
        {
            throw new IOException("expected a structured reply, got magic 0x" + Integer.toHexString(magic));
        }
        final int flags = in.readUnsignedShort();
        final int type = in.readUnsignedShort();
        final long cookie = in.readLong();
        final byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new Chunk(flags, type, cookie, payload);
    }

    /** Simple READ: the data, or an exception naming the error. */
    public byte[] read(final long cookie, final long offset, final int length) throws IOException
    {
        request(0, NbdProtocol.CMD_READ, cookie, offset, length, null);
        final int error = readSimpleReply(cookie);
        if (0 != error)
        {
            throw new IOException("read error " + error);
        }
        final byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    /** Structured READ: the data of its chunks (holes as zeros), or an exception naming the error. */
    public byte[] readStructured(final long cookie, final long offset, final int length) throws IOException
    {
        request(0, NbdProtocol.CMD_READ, cookie, offset, length, null);
        final byte[] data = new byte[length];
        while (true)
        {
            final Chunk chunk = readChunk();
            if (chunk.cookie() != cookie)
            {
                throw new IOException("cookie " + chunk.cookie() + " instead of " + cookie);
            }
            final ByteBuffer payload = ByteBuffer.wrap(chunk.payload());
            switch (chunk.type())
            {
                case NbdProtocol.REPLY_TYPE_OFFSET_DATA ->
                {
                    final long at = payload.getLong();
                    payload.get(data, (int)(at - offset), payload.remaining());
                }
                case NbdProtocol.REPLY_TYPE_OFFSET_HOLE -> Arrays.fill(data, (int)(payload.getLong() - offset),
                    (int)(payload.getLong(0) - offset) + payload.getInt(8), (byte)0);
                case NbdProtocol.REPLY_TYPE_ERROR -> throw new IOException("read error " + chunk.error());
                default -> throw new IOException("unexpected chunk type " + chunk.type());
            }
            if (chunk.done())
            {
                return data;
            }
        }
    }

    /**
     * Sends {@code bytes} in pieces of random size, up to {@code smallPiece} or {@code largePiece}
     * bytes (as likely), pausing 1 ms after about one piece in {@code pauseOneIn}: frames then land
     * on every kind of read boundary at the server.
     */
    public void sendInPieces(final byte[] bytes, final Random random, final int smallPiece, final int largePiece,
        final int pauseOneIn) throws IOException, InterruptedException
    {
        int at = 0;
        while (at < bytes.length)
        {
            final int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? smallPiece : largePiece));
            out.write(bytes, at, n);
            out.flush();
            at += n;
            if (random.nextInt(pauseOneIn) == 0)
            {
                Thread.sleep(1);
            }
        }
    }

    public int write(final long cookie, final long offset, final byte[] data, final int flags) throws IOException
    {
        request(flags, NbdProtocol.CMD_WRITE, cookie, offset, data.length, data);
        return readSimpleReply(cookie);
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean isClosedByServer()
    {
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final EOFException | SocketException ex)
        {
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
