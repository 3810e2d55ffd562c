package io.vplane.engine.management;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange over the management API's Unix socket, which the JDK's HttpClient cannot
 * reach: the request goes out with {@code Connection: close} and the answer is read to its
 * {@code Content-Length} (the server always sends one).
 */
final class UnixSocketHttp
{
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    /** @param status HTTP status; @param body the decoded body */
    record Answer(int status, String body)
    {
    }

    private UnixSocketHttp()
    {
    }

    static Answer exchange(final Path socket, final String method, final String path, final String contentType, final String body)
        throws IOException
    {
        final byte[] payload = null == body ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        final StringBuilder head = new StringBuilder()
            .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
            .append("Host: ").append(RequestGuard.LOCALHOST).append("\r\n")
            .append("Accept: application/json, text/plain\r\n")
            .append("Connection: close\r\n")
            .append("Content-Length: ").append(payload.length).append("\r\n");
        if (null != contentType)
        {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("\r\n");

        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(socket));
            final OutputStream out = Channels.newOutputStream(channel);
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return read(new BufferedInputStream(Channels.newInputStream(channel)));
        }
    }

    private static Answer read(final InputStream in) throws IOException
    {
        final String head = readHead(in);
        final String[] lines = head.split("\r\n");
        final String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1."))
        {
            throw new IOException("not an HTTP answer: " + lines[0]);
        }
        final int status;
        int length = -1;
        try
        {
            status = Integer.parseInt(statusLine[1]);
            for (int i = 1; i < lines.length; i++)
            {
                final int colon = lines[i].indexOf(':');
                if (colon > 0 && "content-length".equals(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT)))
                {
                    length = Integer.parseInt(lines[i].substring(colon + 1).strip());
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("malformed HTTP answer: " + ex.getMessage(), ex);
        }
        final byte[] bodyBytes = length < 0 ? in.readNBytes(MAX_BODY_BYTES) : in.readNBytes(Math.min(length, MAX_BODY_BYTES));
        return new Answer(status, new String(bodyBytes, StandardCharsets.UTF_8));
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("the management API closed the connection without an answer");
            }
            head.write(b);
            if (head.size() > MAX_HEADER_BYTES)
            {
                throw new IOException("the management API's answer headers exceed " + MAX_HEADER_BYTES + " bytes");
            }
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
