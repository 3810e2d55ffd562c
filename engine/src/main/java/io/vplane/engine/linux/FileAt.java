package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Calls relative to a directory descriptor: openat2(2) that resolves a name beneath the directory
 * without following any link, the O_PATH open of a directory, fstatat(2) without following,
 * mkdirat(2) and unlinkat(2). A name checked and then used this way cannot be redirected between the two: the
 * kernel walks it once, from the directory's inode, refusing {@code ..} out of it and every link.
 */
public final class FileAt
{
    /** open(2): a descriptor that only names the inode (no read or write), for *at calls. */
    public static final int O_PATH = 0x200000;
    public static final int O_DIRECTORY = 0x10000;
    /** fstatat(2): describe a link itself, never its target. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    /** openat2(2): no component may leave the directory, by {@code ..}, an absolute name or a link. */
    static final long RESOLVE_BENEATH = 0x08;
    /** openat2(2): no symbolic link in any component, not only the last (ELOOP). */
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** openat2(2): no /proc magic link (/proc/PID/fd/N, /proc/PID/root) on the way. */
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_CONFINED = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

    private static final int AT_FDCWD = -100;
    /** x86_64 syscall number; glibc 2.36 has no openat2 wrapper. */
    private static final long SYS_OPENAT2 = 437;

    /** struct stat on x86_64 (asm/stat.h): st_mode and st_uid, each 32 bits. */
    private static final int STAT_SIZE = 144;
    private static final int STAT_MODE_OFFSET = 24;
    private static final int STAT_UID_OFFSET = 28;
    /** Bytes a {@link #stat} buffer needs. */
    public static final int STAT_BYTES = STAT_SIZE;

    private static final MethodHandle SYSCALL_OPENAT2 = NativeCall.variadicDowncall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), 1);
    private static final MethodHandle FSTATAT =
        NativeCall.downcall("fstatat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle MKDIRAT =
        NativeCall.downcall("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNLINKAT =
        NativeCall.downcall("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private FileAt()
    {
    }

    /** Whether this kernel has openat2 (Linux 5.6), probed once; without it names are checked, then opened. */
    public static KernelCapability openat2()
    {
        return Probe.CAPABILITY;
    }

    /**
     * openat2(2) with {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS}: EXDEV for
     * a name that leaves {@code dirFd}, ELOOP for one that passes through a link. Closed on exec.
     * @return the descriptor, or {@code -errno}
     */
    public static int openBeneath(final int dirFd, final String name, final int flags, final int mode)
    {
        return openat2(dirFd, name, flags | FileIo.O_CLOEXEC, mode, RESOLVE_CONFINED);
    }

    /**
     * An O_PATH descriptor of the directory {@code path}, the anchor of {@link #openBeneath}; the
     * last component is not followed, so the directory is the one named, not a link's target.
     * @return the descriptor, or {@code -errno}
     */
    public static int openDirectory(final String path)
    {
        return FileIo.open(path, O_PATH | O_DIRECTORY | FileIo.O_NOFOLLOW);
    }

    /**
     * fstatat(2) with AT_SYMLINK_NOFOLLOW into {@code stat}, which must hold {@link #STAT_BYTES}.
     * @return 0, or {@code -errno}
     */
    public static int stat(final int dirFd, final String name, final MemorySegment stat)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return NativeCall.checked((int)FSTATAT.invokeExact(NativeCall.state(), dirFd, arena.allocateFrom(name), stat,
                AT_SYMLINK_NOFOLLOW));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("fstatat(" + name + ")", ex);
        }
    }

    public static int statMode(final MemorySegment stat)
    {
        return stat.get(ValueLayout.JAVA_INT, STAT_MODE_OFFSET);
    }

    public static int statUid(final MemorySegment stat)
    {
        return stat.get(ValueLayout.JAVA_INT, STAT_UID_OFFSET);
    }

    /** mkdirat(2): never follows a link in {@code name} (an existing link is EEXIST). @return 0, or {@code -errno} */
    public static int mkdir(final int dirFd, final String name, final int mode)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return NativeCall.checked((int)MKDIRAT.invokeExact(NativeCall.state(), dirFd, arena.allocateFrom(name), mode));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("mkdirat(" + name + ")", ex);
        }
    }

    /** unlinkat(2) of a name (not a directory) in {@code dirFd}. @return 0, or {@code -errno} */
    public static int unlink(final int dirFd, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return NativeCall.checked((int)UNLINKAT.invokeExact(NativeCall.state(), dirFd, arena.allocateFrom(name), 0));
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("unlinkat(" + name + ")", ex);
        }
    }

    private static int openat2(final int dirFd, final String name, final int flags, final int mode, final long resolve)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment how = arena.allocate(OpenHow.SIZE, 8);
            OpenHow.set(how, flags, mode, resolve);
            final long rc = (long)SYSCALL_OPENAT2.invokeExact(NativeCall.state(), SYS_OPENAT2, dirFd, arena.allocateFrom(name),
                how, (long)OpenHow.SIZE);
            return (int)NativeCall.checked(rc);
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("openat2(" + name + ")", ex);
        }
    }

    /** Holder: probed on first use, once. */
    private static final class Probe
    {
        static final KernelCapability CAPABILITY = probe();

        private static KernelCapability probe()
        {
            final String name = "openat2 (names resolved beneath a directory descriptor)";
            final int fd = openat2(AT_FDCWD, ".", O_PATH | O_DIRECTORY | FileIo.O_CLOEXEC, 0, RESOLVE_CONFINED);
            if (fd < 0)
            {
                // ENOSYS before Linux 5.6; EPERM or ENOSYS from a seccomp filter that predates it.
                return KernelCapability.missing(name, "openat2 failed: " + Errno.describe(-fd) +
                    "; paths are checked component by component, then opened with O_NOFOLLOW");
            }
            FileIo.close(fd);
            return KernelCapability.available(name);
        }
    }
}
