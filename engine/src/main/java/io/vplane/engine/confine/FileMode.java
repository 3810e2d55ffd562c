package io.vplane.engine.confine;

/** File type and permission bits of {@code st_mode} (inode(7)), as {@code unix:mode} gives them. */
final class FileMode
{
    static final int TYPE_MASK = 0170000;
    static final int SOCKET = 0140000;
    static final int REGULAR = 0100000;
    static final int DIRECTORY = 0040000;
    static final int GROUP_OR_OTHERS_WRITE = 0022;

    private FileMode()
    {
    }
}
