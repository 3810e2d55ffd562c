package io.vplane.blockstore.config;

import java.util.Locale;

/**
 * The Netty transport the NBD server runs on. epoll is the default: large WRITEs are spliced from
 * the socket only there, as it alone reads nothing while the connection's reading is paused; an
 * io_uring event loop may hold a receive already submitted.
 */
public enum NbdTransport
{
    /** io_uring where the kernel offers it, else epoll, else NIO. */
    AUTO,
    EPOLL,
    IO_URING,
    NIO;

    /** As written in the file: the name in lower case ({@code io_uring}). */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
