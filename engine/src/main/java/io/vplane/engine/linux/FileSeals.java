package io.vplane.engine.linux;

/**
 * The seals of a memory fd (fcntl F_GET_SEALS / F_ADD_SEALS, memfd_create(2)). A frontend that
 * seals its guest memory with F_SEAL_SHRINK can no longer truncate the file under the backend's
 * mapping, which would turn every later access into SIGBUS.
 */
public final class FileSeals
{
    public static final int F_SEAL_SEAL = 0x1;
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int F_SEAL_GROW = 0x4;
    /** The fd's file takes no seals at all (not shmem, hugetlbfs or memfd: EINVAL from F_GET_SEALS). */
    public static final int UNSEALABLE = -1;

    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;

    private FileSeals()
    {
    }

    /** The seals of {@code fd}'s file, or {@link #UNSEALABLE}. */
    public static int of(final int fd)
    {
        final int seals = FileIo.fcntl(fd, F_GET_SEALS, 0);
        return seals < 0 ? UNSEALABLE : seals;
    }

    /** Adds {@code seals} (a frontend's step; the test frontends use it). @return false when refused */
    public static boolean add(final int fd, final int seals)
    {
        return FileIo.fcntl(fd, F_ADD_SEALS, seals) == 0;
    }

    /**
     * Whether the file behind {@code fd} can no longer shrink, or its owner could not have
     * prevented it: true when sealed against shrinking, or when seals cannot be added any more
     * (F_SEAL_SEAL: a memfd made without MFD_ALLOW_SEALING, as DPDK's) or at all (a regular or
     * hugetlbfs file, as QEMU's memory-backend-file). False only for a frontend that could have
     * sealed and did not.
     */
    public static boolean shrinkSealedOrUnsealable(final int fd)
    {
        final int seals = of(fd);
        return seals == UNSEALABLE || (seals & (F_SEAL_SHRINK | F_SEAL_SEAL)) != 0;
    }
}
