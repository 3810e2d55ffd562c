package io.vplane.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An NBD client over a plain socket (proto.md: fixed newstyle, NBD_OPT_EXPORT_NAME) that dies in
 * the middle of a request: it sends a READ it never reads the reply of and the header of a WRITE
 * with only part of its data, then resets the connection, as a killed client's kernel would.
 */
final class VanishingNbdClient
{
    private static final long NBDMAGIC = 0x4e42444d41474943L;
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final int CLIENT_FIXED_NEWSTYLE_NO_ZEROES = 1 | 2;
    private static final int OPT_EXPORT_NAME = 1;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final short CMD_READ = 0;
    private static final short CMD_WRITE = 1;

    private VanishingNbdClient()
    {
    }

    static void vanishMidRequest(final int port, final String export, final long offset) throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            assertThat(in.readLong()).isEqualTo(NBDMAGIC);
            assertThat(in.readLong()).isEqualTo(IHAVEOPT);
            in.readShort(); // handshake flags
            out.writeInt(CLIENT_FIXED_NEWSTYLE_NO_ZEROES);
            final byte[] name = export.getBytes(StandardCharsets.UTF_8);
            out.writeLong(IHAVEOPT);
            out.writeInt(OPT_EXPORT_NAME);
            out.writeInt(name.length);
            out.write(name);
            out.flush();
            assertThat(in.readLong()).as("export size").isPositive();
            in.readShort(); // transmission flags; no zeroes follow (NO_ZEROES)

            request(out, CMD_READ, 1, offset, 4096);
            request(out, CMD_WRITE, 2, offset, 32 * 1024);
            out.write(new byte[4096]); // of 32 KiB
            out.flush();
            Thread.sleep(500); // the server has it all
            socket.setSoLinger(true, 0); // close = RST, as for a killed process with unread data
        }
    }

    private static void request(final DataOutputStream out, final short type, final long cookie, final long offset,
        final int length) throws IOException
    {
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
    }
}
