package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * TAP devices through {@code /dev/net/tun} (linux/if_tun.h, Documentation/networking/tuntap.rst):
 * one open plus TUNSETIFF gives one queue of a device, created when it does not exist. With
 * IFF_VNET_HDR every packet read or written starts with a virtio-net header of
 * {@link #setVnetHeaderSize} bytes; with IFF_MULTI_QUEUE each further open + TUNSETIFF of the same
 * name adds a queue.
 *
 * <pre>
 * struct ifreq (40 bytes):  0  char  ifr_name[16]
 *                          16  short ifr_flags
 * </pre>
 */
public final class Tun
{
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_VNET_HDR = 0x4000;
    /** Longest interface name, without its NUL (IFNAMSIZ - 1). */
    public static final int MAX_NAME_BYTES = 15;

    private static final String DEVICE = "/dev/net/tun";
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final int IFREQ_SIZE = 40;
    private static final int FLAGS_OFFSET = 16;

    private static final MethodHandle IOCTL_POINTER = NativeCall.variadicDowncall(
        "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle IOCTL_LONG = NativeCall.variadicDowncall(
        "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);

    private Tun()
    {
    }

    /**
     * Opens one queue of the TAP device {@code name} (non-blocking, closed on exec), creating the
     * device when it does not exist.
     *
     * @param flags IFF_* flags for TUNSETIFF, e.g. {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}
     * @return the queue's descriptor, or {@code -errno}
     */
    public static int open(final String name, final int flags)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("interface name must be 1.." + MAX_NAME_BYTES + " bytes: '" + name + "'");
        }
        final int fd = FileIo.open(DEVICE, FileIo.O_RDWR | FileIo.O_NONBLOCK);
        if (fd < 0)
        {
            return fd;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(bytes, 0, ifreq, JAVA_BYTE, 0, bytes.length);
            ifreq.set(JAVA_SHORT, FLAGS_OFFSET, (short)flags);
            final int rc = NativeCall.checked((int)IOCTL_POINTER.invokeExact(NativeCall.state(), fd, TUNSETIFF, ifreq));
            if (rc < 0)
            {
                FileIo.close(fd);
                return rc;
            }
            return fd;
        }
        catch (final Throwable ex)
        {
            FileIo.close(fd);
            throw NativeCall.failedToCall("ioctl(TUNSETIFF " + name + ")", ex);
        }
    }

    /** TUNSETVNETHDRSZ: 12 for the virtio 1.0 header (with {@code num_buffers}). @return 0, or {@code -errno} */
    public static int setVnetHeaderSize(final int fd, final int bytes)
    {
        final MemorySegment value = NativeCall.eightBytes();
        value.set(JAVA_INT, 0, bytes);
        try
        {
            return NativeCall.checked((int)IOCTL_POINTER.invokeExact(NativeCall.state(), fd, TUNSETVNETHDRSZ, value));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("ioctl(TUNSETVNETHDRSZ)", ex);
        }
    }

    /**
     * TUNSETOFFLOAD: which offloads (TUN_F_CSUM, TUN_F_TSO4, ...) the reader accepts; 0 makes the
     * kernel hand over only complete, checksummed, unsegmented frames. @return 0, or {@code -errno}
     */
    public static int setOffload(final int fd, final long offloads)
    {
        try
        {
            return NativeCall.checked((int)IOCTL_LONG.invokeExact(NativeCall.state(), fd, TUNSETOFFLOAD, offloads));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("ioctl(TUNSETOFFLOAD)", ex);
        }
    }
}
