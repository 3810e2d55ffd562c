package io.vplane.blockstore.qos;

/** The four quantities a request is charged in, as array indices. */
public final class QosDimension
{
    public static final int READ_OPS = 0;
    public static final int WRITE_OPS = 1;
    public static final int READ_BYTES = 2;
    public static final int WRITE_BYTES = 3;
    public static final int COUNT = 4;

    private QosDimension()
    {
    }

    /** The operations dimension of a direction. */
    static int ops(final boolean write)
    {
        return write ? WRITE_OPS : READ_OPS;
    }

    /** The bytes dimension of a direction. */
    static int bytes(final boolean write)
    {
        return write ? WRITE_BYTES : READ_BYTES;
    }
}
