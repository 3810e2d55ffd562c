package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;

/** Where the agent takes the host's connections: a TCP or Unix server socket, or an AF_VSOCK one. */
public interface AgentListener extends AutoCloseable
{
    /** The next connection; an exception once the listener is closed. */
    ByteChannel accept() throws IOException;

    @Override
    void close() throws IOException;

    static AgentListener of(final ServerSocketChannel server)
    {
        return new AgentListener()
        {
            @Override
            public ByteChannel accept() throws IOException
            {
                return server.accept();
            }

            @Override
            public void close() throws IOException
            {
                server.close();
            }
        };
    }

    static AgentListener of(final VsockSocket server)
    {
        return new AgentListener()
        {
            @Override
            public ByteChannel accept() throws IOException
            {
                return server.accept();
            }

            @Override
            public void close()
            {
                server.close();
            }
        };
    }
}
