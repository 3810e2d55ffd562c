package io.vplane.vsock.control;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One frame of the control channel between the host and the agent in a VM, big-endian:
 * <pre>
 *   0           4          6       8                 16
 *   +-----------+----------+-------+-----------------+----------------------------+
 *   | length u32| version  | type  | id u64          | body (length - 12 bytes)   |
 *   |           | u16 (1)  | u16   |                 |                            |
 *   +-----------+----------+-------+-----------------+----------------------------+
 *   length: bytes after the length field, 12..MAX_LENGTH
 *
 *   CHALLENGE (agent, first)  body: nonce[32]
 *   AUTH      (host, answer)  body: HMAC-SHA256(secret, nonce)[32]  (the secret never travels)
 *   COMMAND   (host)          id: the command's id; body: op u16 | value i64 | vm str | target str
 *   ACK       (agent)         id: the command's; body: empty (received, about to be applied);
 *                             id 0 right after AUTH: the host is accepted (else ERROR and close)
 *   RESULT    (agent)         id: the command's; body: status u16 (0 applied, 1 failed) | reason str
 *   ERROR     (agent)         id: the frame's, or 0; body: code u16 | message str
 *   str: length u16 | UTF-8 bytes
 * </pre>
 * A frame is parsed from a buffer that holds exactly its bytes after the length field; every
 * length inside is checked against what is left, so a truncated or lying frame is an error
 * ({@link FrameException}), never an exception from the buffer.
 */
public record ControlFrame(int type, long id, int op, long value, String vm, String target, int status, String text, byte[] bytes)
{
    public static final int VERSION = 1;
    public static final int HEADER = 12;
    public static final int MAX_LENGTH = 16 * 1024;
    public static final int NONCE = 32;

    public static final int CHALLENGE = 1;
    public static final int AUTH = 2;
    public static final int COMMAND = 3;
    public static final int RESULT = 4;
    public static final int ERROR = 5;
    public static final int ACK = 6;

    /** Container operations: count of containers, memory limit, storage size, of {@code target} in {@code vm}. */
    public static final int OP_SCALE = 1;
    public static final int OP_MEMORY = 2;
    public static final int OP_STORAGE = 3;

    public static final int STATUS_APPLIED = 0;
    public static final int STATUS_FAILED = 1;

    public static final int ERROR_VERSION = 1;
    public static final int ERROR_TYPE = 2;
    public static final int ERROR_MALFORMED = 3;
    public static final int ERROR_TOO_LONG = 4;
    public static final int ERROR_AUTH = 5;

    public static ControlFrame challenge(final byte[] nonce)
    {
        return new ControlFrame(CHALLENGE, 0, 0, 0, "", "", 0, "", nonce);
    }

    public static ControlFrame auth(final byte[] mac)
    {
        return new ControlFrame(AUTH, 0, 0, 0, "", "", 0, "", mac);
    }

    public static ControlFrame command(final long id, final int op, final long value, final String vm, final String target)
    {
        return new ControlFrame(COMMAND, id, op, value, vm, target, 0, "", new byte[0]);
    }

    public static ControlFrame ack(final long id)
    {
        return new ControlFrame(ACK, id, 0, 0, "", "", 0, "", new byte[0]);
    }

    public static ControlFrame result(final long id, final int status, final String reason)
    {
        return new ControlFrame(RESULT, id, 0, 0, "", "", status, reason, new byte[0]);
    }

    public static ControlFrame error(final long id, final int code, final String message)
    {
        return new ControlFrame(ERROR, id, 0, 0, "", "", code, message, new byte[0]);
    }

    public static String opName(final int op)
    {
        return switch (op)
        {
            case OP_SCALE -> "scale";
            case OP_MEMORY -> "memory";
            case OP_STORAGE -> "storage";
            default -> "op " + op;
        };
    }

    /** The whole frame, length field included. */
    public ByteBuffer encode()
    {
        return encode(ByteBuffer.allocate(MAX_LENGTH));
    }

    /** The whole frame, length field included, in {@code out} (of {@link #MAX_LENGTH} bytes, reused by a channel), flipped. */
    public ByteBuffer encode(final ByteBuffer out)
    {
        final ByteBuffer body = out.clear().order(ByteOrder.BIG_ENDIAN);
        body.putInt(0).putShort((short)VERSION).putShort((short)type).putLong(id);
        switch (type)
        {
            case CHALLENGE, AUTH -> body.put(bytes);
            case COMMAND -> putString(putString(body.putShort((short)op).putLong(value), vm), target);
            case RESULT, ERROR -> putString(body.putShort((short)status), text);
            case ACK ->
            {
            }
            default -> throw new IllegalArgumentException("frame type " + type);
        }
        body.putInt(0, body.position() - 4);
        return body.flip();
    }

    /**
     * @param frame the frame's bytes after the length field, exactly
     * @throws FrameException with the ERROR code to answer
     */
    public static ControlFrame decode(final ByteBuffer frame)
    {
        final ByteBuffer in = frame.order(ByteOrder.BIG_ENDIAN);
        if (in.remaining() < HEADER - 4)
        {
            throw new FrameException(ERROR_MALFORMED, 0, "frame of " + in.remaining() + " bytes, shorter than its header");
        }
        final int version = in.getShort() & 0xFFFF;
        final int type = in.getShort() & 0xFFFF;
        final long id = in.getLong();
        if (version != VERSION)
        {
            throw new FrameException(ERROR_VERSION, id, "schema version " + version + " (this end speaks " + VERSION + ")");
        }
        final ControlFrame decoded = switch (type)
        {
            case CHALLENGE, AUTH ->
            {
                if (in.remaining() != NONCE)
                {
                    throw new FrameException(ERROR_MALFORMED, id, "a " + NONCE + "-byte body expected, got " + in.remaining());
                }
                final byte[] bytes = new byte[NONCE];
                in.get(bytes);
                yield new ControlFrame(type, id, 0, 0, "", "", 0, "", bytes);
            }
            case COMMAND ->
            {
                need(in, 10, id);
                final int op = in.getShort() & 0xFFFF;
                final long value = in.getLong();
                yield command(id, op, value, string(in, id), string(in, id));
            }
            case RESULT, ERROR ->
            {
                need(in, 2, id);
                final int status = in.getShort() & 0xFFFF;
                yield new ControlFrame(type, id, 0, 0, "", "", status, string(in, id), new byte[0]);
            }
            case ACK -> ack(id);
            default -> throw new FrameException(ERROR_TYPE, id, "unknown frame type " + type);
        };
        if (in.hasRemaining())
        {
            throw new FrameException(ERROR_MALFORMED, id, in.remaining() + " bytes after the body");
        }
        return decoded;
    }

    private static void need(final ByteBuffer in, final int bytes, final long id)
    {
        if (in.remaining() < bytes)
        {
            throw new FrameException(ERROR_MALFORMED, id, "body truncated: " + bytes + " bytes needed, " + in.remaining() + " left");
        }
    }

    private static String string(final ByteBuffer in, final long id)
    {
        need(in, 2, id);
        final int length = in.getShort() & 0xFFFF;
        need(in, length, id);
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ByteBuffer putString(final ByteBuffer out, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 1024)
        {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes; at most 1024");
        }
        return out.putShort((short)bytes.length).put(bytes);
    }

    /** A frame that cannot be taken: its ERROR code and the id it named (0 if none). */
    public static final class FrameException extends RuntimeException
    {
        private final int code;
        private final long id;

        public FrameException(final int code, final long id, final String message)
        {
            super(message, null, false, false);
            this.code = code;
            this.id = id;
        }

        public int code()
        {
            return code;
        }

        public long id()
        {
            return id;
        }
    }
}
