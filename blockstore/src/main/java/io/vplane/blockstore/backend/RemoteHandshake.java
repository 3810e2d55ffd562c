package io.vplane.blockstore.backend;

import io.vplane.blockstore.nbd.NbdProtocol;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The client side of the fixed newstyle handshake (NBD proto.md: "Option haggling"), NBD_OPT_GO only. */
record RemoteHandshake(long sizeBytes, int transmissionFlags)
{
    static RemoteHandshake go(final InputStream in, final OutputStream out, final String export) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        final DataOutputStream o = new DataOutputStream(out);
        if (data.readLong() != NbdProtocol.NBDMAGIC || data.readLong() != NbdProtocol.IHAVEOPT)
        {
            throw new IOException("not a newstyle NBD server");
        }
        final int serverFlags = data.readUnsignedShort();
        if (0 == (serverFlags & NbdProtocol.FLAG_FIXED_NEWSTYLE))
        {
            throw new IOException("server does not speak fixed newstyle");
        }
        final boolean noZeroes = 0 != (serverFlags & NbdProtocol.FLAG_NO_ZEROES);
        o.writeInt(NbdProtocol.CLIENT_FLAG_FIXED_NEWSTYLE | (noZeroes ? NbdProtocol.CLIENT_FLAG_NO_ZEROES : 0));
        final byte[] name = export.getBytes(StandardCharsets.UTF_8);
        o.writeLong(NbdProtocol.IHAVEOPT);
        o.writeInt(NbdProtocol.OPT_GO);
        o.writeInt(4 + name.length + 2);
        o.writeInt(name.length);
        o.write(name);
        o.writeShort(0);
        o.flush();
        long size = -1;
        int flags = 0;
        while (true)
        {
            if (data.readLong() != NbdProtocol.OPTION_REPLY_MAGIC)
            {
                throw new IOException("bad option reply magic");
            }
            data.readInt();
            final int type = data.readInt();
            final int length = data.readInt();
            if (length < 0 || length > NbdProtocol.MAX_STRING_BYTES + 16)
            {
                throw new IOException("option reply of " + length + " bytes");
            }
            final byte[] payload = new byte[length];
            data.readFully(payload);
            if (type == NbdProtocol.REP_ACK)
            {
                if (size < 0)
                {
                    throw new IOException("server sent no NBD_INFO_EXPORT");
                }
                return new RemoteHandshake(size, flags);
            }
            if (type < 0)
            {
                // The server's own words are not echoed: they come from outside.
                throw new IOException("GO refused (reply 0x" + Integer.toHexString(type) + ")");
            }
            final ByteBuffer info = ByteBuffer.wrap(payload);
            if (type == NbdProtocol.REP_INFO && length >= 12 && info.getShort() == NbdProtocol.INFO_EXPORT)
            {
                size = info.getLong();
                flags = info.getShort() & 0xFFFF;
            }
        }
    }
}
