package io.vplane.engine.management;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends a request exactly as written, headers and all, as a hostile page or process would (the
 * JDK's HttpClient refuses to let a caller set Host), and returns the status line's code.
 */
final class RawHttp
{
    private RawHttp()
    {
    }

    static int status(final String baseUrl, final String request) throws IOException
    {
        if (baseUrl.startsWith("unix:"))
        {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
            {
                channel.connect(UnixDomainSocketAddress.of(Path.of(baseUrl.substring("unix:".length()))));
                return exchange(Channels.newOutputStream(channel), Channels.newInputStream(channel), request);
            }
        }
        final URI uri = URI.create(baseUrl);
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            return exchange(socket.getOutputStream(), socket.getInputStream(), request);
        }
    }

    private static int exchange(final OutputStream out, final InputStream in, final String request) throws IOException
    {
        out.write(request.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        final StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read())
        {
            line.append((char)b);
        }
        return Integer.parseInt(line.toString().split(" ")[1]);
    }
}
