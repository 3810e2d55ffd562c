package io.vplane.blockstore.config;

/**
 * The Netty transport the NBD server runs on. epoll is the default: large WRITEs are spliced from
 * the socket only there, as it alone reads nothing while the connection's reading is paused; an
 * io_uring event loop may hold a receive already submitted.
 */
public enum NbdTransport
{
    /** io_uring where the kernel offers it, else epoll, else NIO. */
    AUTO("auto"),
    EPOLL("epoll"),
    IO_URING("io_uring"),
    NIO("nio");

    private final String configName;

    NbdTransport(final String configName)
    {
        this.configName = configName;
    }

    public String configName()
    {
        return configName;
    }
}
