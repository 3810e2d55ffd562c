package io.vplane.blockstore.nbd;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks what a server sent against what the client sent (proto.md): the greeting, then for every
 * option the client sent, framed option replies echoing it and ending in an ACK or an error;
 * after GO or EXPORT_NAME, replies that answer requests the client sent, with an NBD error code.
 * Replies are checked as far as they came: the server may close at any point (after a violation,
 * or because the client half-closed), so a message cut short at the end is fine, anything the
 * protocol does not allow is not.
 */
final class NbdReplyChecker
{
    private static final Set<Integer> OPTION_REPLIES = Set.of(NbdProtocol.REP_ACK, NbdProtocol.REP_SERVER,
        NbdProtocol.REP_INFO, NbdProtocol.REP_META_CONTEXT, NbdProtocol.REP_ERR_UNSUP, NbdProtocol.REP_ERR_POLICY,
        NbdProtocol.REP_ERR_INVALID, NbdProtocol.REP_ERR_TLS_REQD, NbdProtocol.REP_ERR_TOO_BIG);
    private static final Set<Integer> ERRORS = Set.of(NbdProtocol.EPERM, NbdProtocol.EIO, NbdProtocol.ENOMEM,
        NbdProtocol.EINVAL, NbdProtocol.ENOSPC, NbdProtocol.EOVERFLOW, NbdProtocol.ENOTSUP, NbdProtocol.ESHUTDOWN);
    private static final int OPTION_HEADER_BYTES = 16;
    private static final int OPTION_REPLY_HEADER_BYTES = 20;
    private static final int EXPORT_NAME_REPLY_BYTES = 10;
    private static final int EXPORT_NAME_ZEROES = 124;
    private static final int SIMPLE_REPLY_BYTES = 16;
    private static final int STRUCTURED_REPLY_HEADER_BYTES = 20;
    private static final int REQUEST_HEADER_BYTES = 28;
    /** Bound on one option reply's data: no reply may carry more than the longest option the server reads (64 KiB). */
    private static final int MAX_OPTION_REPLY_BYTES = 64 * 1024;

    private final ByteBuffer client;
    private final ByteBuffer server;
    private final long exportSizeBytes;
    /** READ lengths by cookie; a cookie sent twice with different lengths is ambiguous (-1). */
    private final Map<Long, Long> reads = new HashMap<>();
    private final Set<Long> cookies = new HashSet<>();

    NbdReplyChecker(final byte[] clientBytes, final byte[] serverBytes, final long exportSizeBytes)
    {
        this.client = ByteBuffer.wrap(clientBytes);
        this.server = ByteBuffer.wrap(serverBytes);
        this.exportSizeBytes = exportSizeBytes;
    }

    void check()
    {
        assertThat(server.remaining()).as("greeting").isGreaterThanOrEqualTo(18);
        assertThat(server.getLong()).isEqualTo(NbdProtocol.NBDMAGIC);
        assertThat(server.getLong()).isEqualTo(NbdProtocol.IHAVEOPT);
        assertThat(server.getShort() & 0xFFFF).isEqualTo(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        if (client.remaining() < Integer.BYTES)
        {
            assertNothingMore("before the client flags");
            return;
        }
        final int clientFlags = client.getInt();
        if ((clientFlags & ~NbdProtocol.KNOWN_CLIENT_FLAGS) != 0)
        {
            assertNothingMore("after unknown client flags");
            return;
        }
        if (haggle((clientFlags & NbdProtocol.CLIENT_FLAG_NO_ZEROES) != 0))
        {
            collectRequests();
            checkTransmissionReplies();
        }
    }

    /** @return true when the transmission phase began */
    private boolean haggle(final boolean noZeroes)
    {
        while (client.remaining() >= OPTION_HEADER_BYTES)
        {
            if (client.getLong() != NbdProtocol.IHAVEOPT)
            {
                assertNothingMore("after an option without IHAVEOPT");
                return false;
            }
            final int option = client.getInt();
            final long length = client.getInt() & 0xFFFF_FFFFL;
            final int dataStart = client.position();
            client.position((int)Math.min(client.limit(), dataStart + length));
            if (option == NbdProtocol.OPT_EXPORT_NAME)
            {
                return exportNameReply(noZeroes);
            }
            final int last = optionReplies(option);
            if (last == 0 || option == NbdProtocol.OPT_ABORT)
            {
                return false;
            }
            if (option == NbdProtocol.OPT_GO && last == NbdProtocol.REP_ACK)
            {
                return true;
            }
        }
        return false;
    }

    private boolean exportNameReply(final boolean noZeroes)
    {
        if (server.remaining() < EXPORT_NAME_REPLY_BYTES)
        {
            return false; // refused (closed) or cut short
        }
        assertThat(server.getLong()).as("EXPORT_NAME reply: export size").isEqualTo(exportSizeBytes);
        server.getShort();
        if (!noZeroes)
        {
            for (int i = 0; i < EXPORT_NAME_ZEROES && server.hasRemaining(); i++)
            {
                assertThat(server.get()).isZero();
            }
        }
        return true;
    }

    /** @return the type of the reply that ended the option, or 0 when the replies stop before it */
    private int optionReplies(final int option)
    {
        while (server.remaining() >= OPTION_REPLY_HEADER_BYTES)
        {
            assertThat(server.getLong()).as("option reply magic").isEqualTo(NbdProtocol.OPTION_REPLY_MAGIC);
            assertThat(server.getInt()).as("option echoed").isEqualTo(option);
            final int type = server.getInt();
            final int length = server.getInt();
            assertThat(OPTION_REPLIES).as("option reply type").contains(type);
            assertThat(length).as("option reply length").isBetween(0, MAX_OPTION_REPLY_BYTES);
            if (server.remaining() < length)
            {
                return 0;
            }
            server.position(server.position() + length);
            if (type == NbdProtocol.REP_ACK || type < 0)
            {
                return type;
            }
        }
        return 0;
    }

    /** Reads the client's request headers as the server frames them: WRITE data follows its header. */
    private void collectRequests()
    {
        final int start = client.position();
        while (client.remaining() >= REQUEST_HEADER_BYTES && client.getInt() == NbdProtocol.REQUEST_MAGIC)
        {
            client.getShort();
            final int type = client.getShort() & 0xFFFF;
            final long cookie = client.getLong();
            client.getLong();
            final long length = client.getInt() & 0xFFFF_FFFFL;
            cookies.add(cookie);
            if (type == NbdProtocol.CMD_READ)
            {
                reads.merge(cookie, length, (a, b) -> a.equals(b) ? a : -1L);
            }
            if (type == NbdProtocol.CMD_WRITE)
            {
                client.position((int)Math.min(client.limit(), client.position() + length));
            }
        }
        client.position(start);
    }

    private void checkTransmissionReplies()
    {
        while (server.remaining() >= Integer.BYTES)
        {
            final int magic = server.getInt();
            if (magic == NbdProtocol.SIMPLE_REPLY_MAGIC)
            {
                if (!simpleReply())
                {
                    return;
                }
            }
            else
            {
                assertThat(magic).as("reply magic").isEqualTo(NbdProtocol.STRUCTURED_REPLY_MAGIC);
                if (!structuredReply())
                {
                    return;
                }
            }
        }
    }

    /** @return false when the rest of the stream cannot be framed (cut short, or a READ of unknown length) */
    private boolean simpleReply()
    {
        if (server.remaining() < SIMPLE_REPLY_BYTES - Integer.BYTES)
        {
            return false;
        }
        final int error = server.getInt();
        final long cookie = server.getLong();
        assertThat(cookies).as("simple reply to a cookie the client sent").contains(cookie);
        if (error != 0)
        {
            assertThat(ERRORS).as("NBD error code").contains(error);
            return true;
        }
        final Long readLength = reads.get(cookie);
        if (null == readLength)
        {
            return true;
        }
        if (readLength < 0 || server.remaining() < readLength)
        {
            return false;
        }
        server.position((int)(server.position() + readLength));
        return true;
    }

    private boolean structuredReply()
    {
        if (server.remaining() < STRUCTURED_REPLY_HEADER_BYTES - Integer.BYTES)
        {
            return false;
        }
        server.getShort();
        final int type = server.getShort() & 0xFFFF;
        final long cookie = server.getLong();
        final long length = server.getInt() & 0xFFFF_FFFFL;
        assertThat(cookies).as("structured reply to a cookie the client sent").contains(cookie);
        assertThat(length).as("structured reply length").isLessThanOrEqualTo(NbdProtocol.MAX_PAYLOAD_BYTES + 16L);
        if (server.remaining() < length)
        {
            return false;
        }
        if ((type & 0x8000) != 0 && length >= Integer.BYTES)
        {
            assertThat(ERRORS).as("NBD error code in an error chunk").contains(server.getInt(server.position()));
        }
        server.position((int)(server.position() + length));
        return true;
    }

    private void assertNothingMore(final String when)
    {
        assertThat(server.remaining()).as("bytes the server sent %s", when).isZero();
    }
}
