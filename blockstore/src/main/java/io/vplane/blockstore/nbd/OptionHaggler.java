package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Option haggling (proto.md: "Option haggling", "Option types"). Every option but EXPORT_NAME is
 * answered with replies ending in ACK or an error; an option it does not know gets
 * NBD_REP_ERR_UNSUP and the next option is read as usual. Export lookups go through the
 * {@link ExportDirectory}, which answers "no such export" for exports the client may not see, so
 * both cases get the same NBD_REP_ERR_POLICY.
 */
final class OptionHaggler
{
    private static final int INFO_EXPORT_LENGTH = 2 + 8 + 2;
    private static final int INFO_BLOCK_SIZE_LENGTH = 2 + 4 + 4 + 4;
    private static final int EXPORT_NAME_REPLY_LENGTH = 8 + 2;
    private static final int EXPORT_NAME_ZEROES = 124;

    private final NbdConnection connection;

    OptionHaggler(final NbdConnection connection)
    {
        this.connection = connection;
    }

    void onOption(final int option, final ByteBuf data)
    {
        switch (option)
        {
            case NbdProtocol.OPT_EXPORT_NAME -> exportName(data);
            case NbdProtocol.OPT_ABORT -> abort();
            case NbdProtocol.OPT_LIST -> list(data);
            case NbdProtocol.OPT_STARTTLS -> startTls(data);
            case NbdProtocol.OPT_INFO, NbdProtocol.OPT_GO -> infoOrGo(option, data);
            case NbdProtocol.OPT_STRUCTURED_REPLY -> structuredReply(data);
            case NbdProtocol.OPT_LIST_META_CONTEXT, NbdProtocol.OPT_SET_META_CONTEXT -> metaContext(option, data);
            default -> replyError(option, NbdProtocol.REP_ERR_UNSUP, "option " + option + " is not supported");
        }
    }

    /** proto.md: NBD_OPT_EXPORT_NAME has no error reply; a refused client is disconnected. */
    private void exportName(final ByteBuf data)
    {
        final String name = data.readableBytes() <= NbdProtocol.MAX_STRING_BYTES ? utf8(data) : null;
        final Export export = null == name ? null : connection.directory.find(name, connection.client);
        if (null == export || (export.requiresTls() && !connection.tls))
        {
            connection.metrics.errors().record("nbd", "export-refused",
                connection.peer + ": EXPORT_NAME refused (unknown, hidden or malformed name)");
            connection.closeAfterFlush(null);
            return;
        }
        if (connection.exportFull(export))
        {
            connection.closeAfterFlush(null); // EXPORT_NAME has no error reply
            return;
        }
        final int zeroes = connection.noZeroes ? 0 : EXPORT_NAME_ZEROES;
        final ByteBuf reply = connection.ctx.alloc().buffer(EXPORT_NAME_REPLY_LENGTH + zeroes);
        reply.writeLong(export.sizeBytes()).writeShort(connection.transmissionFlags(export)).writeZero(zeroes);
        if (!connection.enterTransmission(export, name))
        {
            reply.release();
            connection.closeAfterFlush(null);
            return;
        }
        connection.ctx.writeAndFlush(reply, connection.ctx.voidPromise());
    }

    private void abort()
    {
        // proto.md: the server SHOULD send NBD_REP_ACK, then close.
        final ByteBuf ack = connection.ctx.alloc().buffer(ReplyEncoder.OPTION_REPLY_HEADER_LENGTH);
        ReplyEncoder.optionReply(ack, NbdProtocol.OPT_ABORT, NbdProtocol.REP_ACK, 0);
        connection.closeAfterFlush(ack);
    }

    private void startTls(final ByteBuf data)
    {
        if (null == connection.tlsContext)
        {
            replyError(NbdProtocol.OPT_STARTTLS, NbdProtocol.REP_ERR_UNSUP, "TLS is not configured on this server");
            return;
        }
        if (connection.tls)
        {
            replyError(NbdProtocol.OPT_STARTTLS, NbdProtocol.REP_ERR_INVALID, "TLS is already on");
            return;
        }
        if (data.isReadable())
        {
            replyError(NbdProtocol.OPT_STARTTLS, NbdProtocol.REP_ERR_INVALID, "STARTTLS takes no data");
            return;
        }
        // The ACK passes the pipeline in clear before the TLS handler is put in front of it.
        ack(NbdProtocol.OPT_STARTTLS);
        connection.startTls();
    }

    private void list(final ByteBuf data)
    {
        if (data.isReadable())
        {
            replyError(NbdProtocol.OPT_LIST, NbdProtocol.REP_ERR_INVALID, "LIST takes no data");
            return;
        }
        final List<Export> exports = connection.directory.visibleTo(connection.client);
        for (final Export export : exports)
        {
            final byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
            final ByteBuf reply = connection.ctx.alloc().buffer(ReplyEncoder.OPTION_REPLY_HEADER_LENGTH + 4 + name.length);
            ReplyEncoder.optionReply(reply, NbdProtocol.OPT_LIST, NbdProtocol.REP_SERVER, 4 + name.length);
            reply.writeInt(name.length).writeBytes(name);
            connection.ctx.write(reply, connection.ctx.voidPromise());
        }
        ack(NbdProtocol.OPT_LIST);
    }

    /**
     * NBD_OPT_INFO and NBD_OPT_GO data:
     * <pre>
     *  0       name length n (32)
     *  4       name (n bytes, UTF-8)
     *  4+n     number of information requests m (16)
     *  6+n     m information types (16 each)
     * </pre>
     */
    private void infoOrGo(final int option, final ByteBuf data)
    {
        final int length = data.readableBytes();
        if (length < 6)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "option data shorter than 6 bytes");
            return;
        }
        final long nameLength = data.getUnsignedInt(0);
        if (nameLength > NbdProtocol.MAX_STRING_BYTES)
        {
            replyError(option, NbdProtocol.REP_ERR_TOO_BIG, "export name longer than 4096 bytes");
            return;
        }
        if (4 + nameLength + 2 > length)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "export name runs past the option data");
            return;
        }
        final int requests = data.getUnsignedShort(4 + (int)nameLength);
        if (4 + nameLength + 2 + 2L * requests != length)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "information request count does not match the option length");
            return;
        }
        final String name = utf8(data.slice(4, (int)nameLength));
        if (null == name)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "export name is not valid UTF-8");
            return;
        }
        final Export export = visibleExport(option, name);
        if (null == export)
        {
            return;
        }
        boolean wantsName = false;
        boolean wantsDescription = false;
        boolean wantsBlockSize = false;
        for (int i = 0; i < requests; i++)
        {
            final int type = data.getUnsignedShort(6 + (int)nameLength + 2 * i);
            wantsName |= NbdProtocol.INFO_NAME == type;
            wantsDescription |= NbdProtocol.INFO_DESCRIPTION == type;
            wantsBlockSize |= NbdProtocol.INFO_BLOCK_SIZE == type;
        }
        final ByteBuf info = connection.ctx.alloc().buffer();
        ReplyEncoder.optionReply(info, option, NbdProtocol.REP_INFO, INFO_EXPORT_LENGTH);
        info.writeShort(NbdProtocol.INFO_EXPORT).writeLong(export.sizeBytes())
            .writeShort(connection.transmissionFlags(export));
        if (wantsName)
        {
            infoString(info, option, NbdProtocol.INFO_NAME, export.name());
        }
        if (wantsDescription && !export.description().isEmpty())
        {
            infoString(info, option, NbdProtocol.INFO_DESCRIPTION, export.description());
        }
        // Sent unasked too (allowed by proto.md); only a client that asked is held to the minimum.
        ReplyEncoder.optionReply(info, option, NbdProtocol.REP_INFO, INFO_BLOCK_SIZE_LENGTH);
        info.writeShort(NbdProtocol.INFO_BLOCK_SIZE).writeInt(export.minBlockBytes())
            .writeInt(Math.max(export.minBlockBytes(), NbdProtocol.PREFERRED_BLOCK_BYTES))
            .writeInt(NbdProtocol.MAX_PAYLOAD_BYTES);
        connection.alignment = wantsBlockSize ? export.minBlockBytes() : 1;
        if (NbdProtocol.OPT_GO == option && connection.exportFull(export))
        {
            info.release();
            replyError(option, NbdProtocol.REP_ERR_POLICY, "too many connections to this export; try again later");
            return;
        }
        if (NbdProtocol.OPT_GO == option && !connection.enterTransmission(export, name))
        {
            info.release();
            replyError(option, NbdProtocol.REP_ERR_POLICY, "export is shutting down");
            return;
        }
        ReplyEncoder.optionReply(info, option, NbdProtocol.REP_ACK, 0);
        connection.ctx.writeAndFlush(info, connection.ctx.voidPromise());
    }

    private static void infoString(final ByteBuf out, final int option, final int infoType, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ReplyEncoder.optionReply(out, option, NbdProtocol.REP_INFO, 2 + bytes.length);
        out.writeShort(infoType).writeBytes(bytes);
    }

    private void structuredReply(final ByteBuf data)
    {
        if (data.isReadable())
        {
            replyError(NbdProtocol.OPT_STRUCTURED_REPLY, NbdProtocol.REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
            return;
        }
        connection.structured = true;
        ack(NbdProtocol.OPT_STRUCTURED_REPLY);
    }

    /**
     * NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT data:
     * <pre>
     *  0       export name length n (32)     4     export name (n bytes)
     *  4+n     number of queries q (32)      8+n   q times: query length (32), query (UTF-8)
     * </pre>
     */
    private void metaContext(final int option, final ByteBuf data)
    {
        final boolean set = NbdProtocol.OPT_SET_META_CONTEXT == option;
        if (set && !connection.structured)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "SET_META_CONTEXT needs structured replies first");
            return;
        }
        final int length = data.readableBytes();
        if (length < 8)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "option data shorter than 8 bytes");
            return;
        }
        final long nameLength = data.getUnsignedInt(0);
        if (nameLength > NbdProtocol.MAX_STRING_BYTES || 8 + nameLength > length)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "export name runs past the option data");
            return;
        }
        final String name = utf8(data.slice(4, (int)nameLength));
        final long queries = data.getUnsignedInt(4 + (int)nameLength);
        int position = 8 + (int)nameLength;
        boolean wantsAllocation = !set && 0 == queries;
        for (long i = 0; i < queries; i++)
        {
            if (position + 4 > length)
            {
                replyError(option, NbdProtocol.REP_ERR_INVALID, "query count runs past the option data");
                return;
            }
            final long queryLength = data.getUnsignedInt(position);
            if (queryLength > NbdProtocol.MAX_STRING_BYTES || position + 4 + queryLength > length)
            {
                replyError(option, NbdProtocol.REP_ERR_INVALID, "query runs past the option data");
                return;
            }
            final String query = utf8(data.slice(position + 4, (int)queryLength));
            if (null == query)
            {
                replyError(option, NbdProtocol.REP_ERR_INVALID, "query is not valid UTF-8");
                return;
            }
            wantsAllocation |= NbdProtocol.BASE_ALLOCATION.equals(query) || (!set && "base:".equals(query));
            position += 4 + (int)queryLength;
        }
        if (position != length)
        {
            replyError(option, NbdProtocol.REP_ERR_INVALID, "option data longer than its queries");
            return;
        }
        final Export export = visibleExport(option, name);
        if (null == export)
        {
            return;
        }
        if (set)
        {
            connection.metaContextExport = wantsAllocation ? name : null;
        }
        if (wantsAllocation)
        {
            final byte[] context = NbdProtocol.BASE_ALLOCATION.getBytes(StandardCharsets.US_ASCII);
            final ByteBuf reply = connection.ctx.alloc().buffer(ReplyEncoder.OPTION_REPLY_HEADER_LENGTH + 4 + context.length);
            ReplyEncoder.optionReply(reply, option, NbdProtocol.REP_META_CONTEXT, 4 + context.length);
            reply.writeInt(NbdProtocol.BASE_ALLOCATION_ID).writeBytes(context);
            connection.ctx.write(reply, connection.ctx.voidPromise());
        }
        ack(option);
    }

    /**
     * The export {@code name} when this client may use it, else null with the error already replied:
     * no name (not UTF-8), unknown or not allowed, or needing TLS the connection lacks.
     */
    private Export visibleExport(final int option, final String name)
    {
        final Export export = null == name ? null : connection.directory.find(name, connection.client);
        if (null == export)
        {
            replyError(option, NbdProtocol.REP_ERR_POLICY, "no export of that name is available to this client");
            return null;
        }
        if (export.requiresTls() && !connection.tls)
        {
            // Only a client allowed to see the export learns that it needs TLS.
            replyError(option, NbdProtocol.REP_ERR_TLS_REQD, "this export needs TLS: send NBD_OPT_STARTTLS first");
            return null;
        }
        return export;
    }

    private void ack(final int option)
    {
        final ByteBuf ack = connection.ctx.alloc().buffer(ReplyEncoder.OPTION_REPLY_HEADER_LENGTH);
        ReplyEncoder.optionReply(ack, option, NbdProtocol.REP_ACK, 0);
        connection.ctx.writeAndFlush(ack, connection.ctx.voidPromise());
    }

    /** An error reply with a short human-readable message (proto.md allows UTF-8 text as its data). */
    void replyError(final int option, final int error, final String message)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final ByteBuf reply = connection.ctx.alloc().buffer(ReplyEncoder.OPTION_REPLY_HEADER_LENGTH + text.length);
        ReplyEncoder.optionReply(reply, option, error, text.length);
        reply.writeBytes(text);
        connection.ctx.writeAndFlush(reply, connection.ctx.voidPromise());
    }

    /** @return the text, or null when it is not valid UTF-8 */
    static String utf8(final ByteBuf bytes)
    {
        final ByteBuffer view = ByteBuffer.allocate(bytes.readableBytes());
        bytes.getBytes(bytes.readerIndex(), view);
        view.flip();
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(view)
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }
}
