package io.vplane.engine.linux;

/**
 * struct pollfd (poll.h), one descriptor of a poll(2) call:
 * <pre>
 *   0  int   fd    4  short events    6  short revents    = 8 bytes
 * </pre>
 */
public final class PollFd
{
    public static final int SIZE = 8;
    public static final int FD_OFFSET = 0;
    public static final int EVENTS_OFFSET = 4;
    public static final int REVENTS_OFFSET = 6;

    private PollFd()
    {
    }
}
