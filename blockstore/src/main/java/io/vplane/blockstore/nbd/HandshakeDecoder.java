package io.vplane.blockstore.nbd;

import io.netty.buffer.ByteBuf;

/**
 * Frames the client's side of the fixed newstyle handshake (NBD proto.md: "Newstyle
 * negotiation"): its flags, then options, each handed whole to the {@link OptionHaggler}. Options
 * longer than the limit are skipped with NBD_REP_ERR_TOO_BIG, and a handshake that sends more
 * options than the limit is ended: nothing a valid client does needs either.
 */
final class HandshakeDecoder
{
    private enum Phase
    {
        CLIENT_FLAGS, OPTIONS, SKIP_OPTION
    }

    private final NbdConnection connection;
    private final OptionHaggler haggler;
    private final InboundFrames frames;
    private final NbdLimits limits;
    private final OptionHeader optionHeader = new OptionHeader();
    private Phase phase = Phase.CLIENT_FLAGS;
    private long skipRemaining;
    private int options;

    HandshakeDecoder(
        final NbdConnection connection, final OptionHaggler haggler, final InboundFrames frames, final NbdLimits limits)
    {
        this.connection = connection;
        this.haggler = haggler;
        this.frames = frames;
        this.limits = limits;
    }

    /** @return true when it consumed something and may go on; false when it needs more bytes or the session ended */
    boolean decode(final ByteBuf in)
    {
        return switch (phase)
        {
            case CLIENT_FLAGS -> decodeClientFlags(in);
            case OPTIONS -> decodeOption(in);
            case SKIP_OPTION -> skipOption(in);
        };
    }

    private boolean decodeClientFlags(final ByteBuf in)
    {
        if (in.readableBytes() < Integer.BYTES)
        {
            frames.await(Integer.BYTES);
            return false;
        }
        final int flags = in.readInt();
        if (0 != (flags & ~NbdProtocol.KNOWN_CLIENT_FLAGS))
        {
            // NBD proto.md: a server that sees client flags it does not know MUST close.
            return connection.fault("client-flags", "unknown client flags 0x" + Integer.toHexString(flags));
        }
        connection.noZeroes = 0 != (flags & NbdProtocol.CLIENT_FLAG_NO_ZEROES);
        phase = Phase.OPTIONS;
        return true;
    }

    private boolean decodeOption(final ByteBuf in)
    {
        if (in.readableBytes() < OptionHeader.LENGTH)
        {
            frames.await(OptionHeader.LENGTH);
            return false;
        }
        optionHeader.wrap(in, in.readerIndex());
        if (!optionHeader.hasValidMagic())
        {
            return connection.fault("option-magic", "option without IHAVEOPT magic");
        }
        final int option = optionHeader.option();
        final long length = optionHeader.dataLength();
        if (++options > limits.maxOptions())
        {
            return connection.fault("too-many-options", "more than " + limits.maxOptions() + " options in one handshake");
        }
        if (length > limits.maxOptionBytes())
        {
            if (NbdProtocol.OPT_EXPORT_NAME == option)
            {
                return connection.fault("option-length", "EXPORT_NAME of " + length + " bytes");
            }
            in.skipBytes(OptionHeader.LENGTH);
            skipRemaining = length;
            phase = Phase.SKIP_OPTION;
            connection.metrics.errors().record("nbd", "option-too-big",
                connection.peer + ": option " + option + " of " + length + " bytes");
            haggler.replyError(option, NbdProtocol.REP_ERR_TOO_BIG, "option data too long");
            return true;
        }
        if (in.readableBytes() < OptionHeader.LENGTH + length)
        {
            frames.await(OptionHeader.LENGTH + (int)length);
            return false;
        }
        final ByteBuf data = in.slice(in.readerIndex() + OptionHeader.LENGTH, (int)length);
        in.skipBytes(OptionHeader.LENGTH + (int)length);
        haggler.onOption(option, data);
        return true;
    }

    private boolean skipOption(final ByteBuf in)
    {
        final int n = (int)Math.min(in.readableBytes(), skipRemaining);
        in.skipBytes(n);
        skipRemaining -= n;
        if (0 == skipRemaining)
        {
            phase = Phase.OPTIONS;
        }
        return n > 0;
    }
}
