package io.vplane.vsock.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * Frames over a blocking byte stream (TCP, a Unix socket, a vsock stream): writes whole frames and
 * reads one at a time, its length checked before the body is read, so a peer cannot make this end
 * buffer more than {@link ControlFrame#MAX_LENGTH}.
 */
public final class FrameChannel implements AutoCloseable
{
    private final ByteChannel channel;
    private final ByteBuffer length = ByteBuffer.allocate(4);
    /** One frame's bytes each way, reused: frames are encoded and decoded (strings copied out) one at a time. */
    private final ByteBuffer out = ByteBuffer.allocate(ControlFrame.MAX_LENGTH);
    private final ByteBuffer in = ByteBuffer.allocate(ControlFrame.MAX_LENGTH);

    public FrameChannel(final ByteChannel channel)
    {
        this.channel = channel;
    }

    public synchronized void write(final ControlFrame frame) throws IOException
    {
        final ByteBuffer bytes = frame.encode(out);
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
    }

    /**
     * @throws EOFException at the end of the stream (also in the middle of a frame)
     * @throws ControlFrame.FrameException for a frame that cannot be taken; after
     *         {@link ControlFrame#ERROR_TOO_LONG} the stream is out of step and must be closed
     */
    public ControlFrame read() throws IOException
    {
        readFully(length.clear());
        final int size = length.getInt(0);
        if (size < ControlFrame.HEADER - 4 || size > ControlFrame.MAX_LENGTH)
        {
            throw new ControlFrame.FrameException(ControlFrame.ERROR_TOO_LONG, 0,
                "frame length " + Integer.toUnsignedString(size) + " outside " + (ControlFrame.HEADER - 4) + ".." + ControlFrame.MAX_LENGTH);
        }
        final ByteBuffer body = in.clear().limit(size);
        readFully(body);
        return ControlFrame.decode(body.flip());
    }

    private void readFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new EOFException("stream ended");
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
