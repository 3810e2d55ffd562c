package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * struct sockaddr_un (sys/un.h), the address of a Unix socket:
 * <pre>
 *   0  sa_family_t sun_family (u16)    2  char sun_path[108]    = 110 bytes
 * </pre>
 */
public final class SockaddrUn
{
    public static final int SIZE = 110;
    public static final int FAMILY_OFFSET = 0;
    public static final int PATH_OFFSET = 2;
    /** The path's longest length, leaving room for its terminating NUL. */
    public static final int PATH_MAX = 107;

    private SockaddrUn()
    {
    }

    /** A sockaddr_un for {@code path}, allocated in {@code arena}. */
    public static MemorySegment of(final Arena arena, final String path)
    {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > PATH_MAX)
        {
            throw new IllegalArgumentException("socket path longer than " + PATH_MAX + " bytes: " + path);
        }
        final MemorySegment address = arena.allocate(SIZE, 2);
        address.set(JAVA_SHORT, FAMILY_OFFSET, (short)Sockets.AF_UNIX);
        MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, PATH_OFFSET, bytes.length);
        return address;
    }
}
