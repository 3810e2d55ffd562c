package io.vplane.engine.linux;

/**
 * struct epoll_event (sys/epoll.h). x86_64 packs it, so its data follows the events unaligned;
 * other 64-bit ABIs align the data to 8:
 * <pre>
 *   x86_64:  0  u32 events    4  u64 data                    = 12 bytes
 *   others:  0  u32 events    4  (pad)    8  u64 data        = 16 bytes
 * </pre>
 * Read the data with an unaligned layout: an array of packed events aligns only every other one.
 */
public final class EpollEvent
{
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"));

    public static final int SIZE = PACKED ? 12 : 16;
    public static final int EVENTS_OFFSET = 0;
    public static final int DATA_OFFSET = PACKED ? 4 : 8;

    private EpollEvent()
    {
    }
}
