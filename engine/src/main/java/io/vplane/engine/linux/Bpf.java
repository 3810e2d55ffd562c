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

/**
 * The bpf(2) system call, for the few commands an XDP uplink needs: create a map, load a program,
 * attach it to an interface as a BPF link (the attachment lives as long as the link's descriptor, so
 * a daemon that dies leaves no program behind) and set a map element. Control path only: each call
 * builds its {@code union bpf_attr} in a confined arena.
 *
 * <pre>
 * union bpf_attr, the members used (uapi/linux/bpf.h); the rest of the 128 bytes passed stay zero:
 *   BPF_MAP_CREATE:      0 u32 map_type, 4 u32 key_size, 8 u32 value_size, 12 u32 max_entries, 16 u32 map_flags,
 *                        28 char map_name[16]
 *   BPF_MAP_UPDATE_ELEM: 0 u32 map_fd, 8 u64 key (pointer), 16 u64 value (pointer), 24 u64 flags
 *   BPF_PROG_LOAD:       0 u32 prog_type, 4 u32 insn_cnt, 8 u64 insns, 16 u64 license, 24 u32 log_level,
 *                        28 u32 log_size, 32 u64 log_buf, 48 char prog_name[16], 68 u32 expected_attach_type
 *   BPF_LINK_CREATE:     0 u32 prog_fd, 4 u32 target_ifindex, 8 u32 attach_type, 12 u32 flags
 * </pre>
 */
public final class Bpf
{
    public static final int BPF_MAP_TYPE_XSKMAP = 17;
    public static final int BPF_PROG_TYPE_XDP = 6;
    /** attach_type of an XDP program on an interface. */
    public static final int BPF_XDP = 37;
    /** XDP attach flags (uapi/linux/if_link.h): generic (any driver, after the skb is built) or the driver's own hook. */
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    static final long SYS_BPF = 321;
    static final int BPF_MAP_CREATE = 0;
    static final int BPF_MAP_UPDATE_ELEM = 2;
    static final int BPF_PROG_LOAD = 5;
    static final int BPF_LINK_CREATE = 28;
    static final int ATTR_BYTES = 128;
    static final int NAME_BYTES = 16;
    /** The verifier's log when a program is refused, so the refusal says why. */
    static final int LOG_BYTES = 16 * 1024;

    private static final MethodHandle BPF = NativeCall.variadicDowncall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), 1);

    private Bpf()
    {
    }

    /** @return the map's descriptor, or {@code -errno} */
    public static int createMap(final int type, final int keySize, final int valueSize, final int maxEntries, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, keySize);
            attr.set(JAVA_INT, 8, valueSize);
            attr.set(JAVA_INT, 12, maxEntries);
            putName(attr, 28, name);
            return (int)call(BPF_MAP_CREATE, attr);
        }
    }

    /** Sets element {@code key} (a u32) of map {@code mapFd} to the u32 {@code value}. @return 0 or {@code -errno} */
    public static int updateElement(final int mapFd, final int key, final int value)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            final MemorySegment pair = arena.allocate(8, 8);
            pair.set(JAVA_INT, 0, key);
            pair.set(JAVA_INT, 4, value);
            attr.set(JAVA_INT, 0, mapFd);
            attr.set(JAVA_LONG, 8, pair.address());
            attr.set(JAVA_LONG, 16, pair.address() + 4);
            return (int)call(BPF_MAP_UPDATE_ELEM, attr);
        }
    }

    /**
     * Loads a program of {@code instructions} (8 bytes each, {@link BpfInsn}).
     *
     * @return the program's descriptor
     * @throws IllegalStateException with the errno and the verifier's log when it is refused
     */
    public static int loadProgram(final int type, final int expectedAttachType, final MemorySegment instructions,
        final String license, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            final MemorySegment log = arena.allocate(LOG_BYTES, 8);
            final MemorySegment licence = arena.allocateFrom(license);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, (int)(instructions.byteSize() / BpfInsn.SIZE));
            attr.set(JAVA_LONG, 8, instructions.address());
            attr.set(JAVA_LONG, 16, licence.address());
            putName(attr, 48, name);
            attr.set(JAVA_INT, 68, expectedAttachType);
            final int fd = (int)call(BPF_PROG_LOAD, attr);
            if (fd >= 0)
            {
                return fd;
            }
            // load again with the verifier's log, only to say why
            attr.set(JAVA_INT, 24, 1);
            attr.set(JAVA_INT, 28, LOG_BYTES);
            attr.set(JAVA_LONG, 32, log.address());
            final int again = (int)call(BPF_PROG_LOAD, attr);
            if (again >= 0)
            {
                FileIo.close(again);
            }
            throw new IllegalStateException("bpf(BPF_PROG_LOAD) failed: " + Errno.describe(-fd) +
                (fd == -Errno.EPERM ? " (loading BPF programs needs CAP_BPF or root)" : "") +
                "; verifier: " + log.getString(0).strip());
        }
    }

    /**
     * Attaches XDP program {@code programFd} to interface {@code ifIndex} as a BPF link.
     *
     * @param xdpFlags {@link #XDP_FLAGS_SKB_MODE}, {@link #XDP_FLAGS_DRV_MODE} or 0 (the driver's hook if it has one)
     * @return the link's descriptor (closing it detaches the program), or {@code -errno} (EBUSY: the
     *     interface already has an XDP program; EOPNOTSUPP: the driver has no XDP hook)
     */
    public static int attachXdp(final int programFd, final int ifIndex, final int xdpFlags)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, programFd);
            attr.set(JAVA_INT, 4, ifIndex);
            attr.set(JAVA_INT, 8, BPF_XDP);
            attr.set(JAVA_INT, 12, xdpFlags);
            return (int)call(BPF_LINK_CREATE, attr);
        }
    }

    private static void putName(final MemorySegment attr, final long offset, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        // the kernel takes letters, digits, '_' and '.', up to 15 characters and a NUL
        for (int i = 0; i < Math.min(bytes.length, NAME_BYTES - 1); i++)
        {
            attr.set(JAVA_BYTE, offset + i, bytes[i]);
        }
    }

    private static long call(final int command, final MemorySegment attr)
    {
        try
        {
            return NativeCall.checked((long)BPF.invokeExact(NativeCall.state(), SYS_BPF, command, attr, ATTR_BYTES));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("bpf", ex);
        }
    }
}
