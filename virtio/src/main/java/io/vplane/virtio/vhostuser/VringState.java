package io.vplane.virtio.vhostuser;

import io.vplane.engine.linux.FileIo;
import io.vplane.virtio.virtq.SplitVirtQueue;

/**
 * What the frontend told the backend about one vring, kept by the control thread between the
 * SET_VRING_* messages; the ring runs once it has everything (vhost-user.rst "Ring states").
 */
final class VringState
{
    int num;
    int base;
    long descAddr;
    long availAddr;
    long usedAddr;
    boolean addressSet;
    /** A kick fd (or "no fd": polling) arrived since the last GET_VRING_BASE. */
    boolean started;
    boolean enabled;
    int kickFd = -1;
    int callFd = -1;
    int errFd = -1;
    SplitVirtQueue running;

    void replaceKickFd(final int fd)
    {
        FileIo.close(kickFd);
        kickFd = fd;
    }

    void replaceCallFd(final int fd)
    {
        FileIo.close(callFd);
        callFd = fd;
    }

    void replaceErrFd(final int fd)
    {
        FileIo.close(errFd);
        errFd = fd;
    }

    /** Forgets everything and closes the ring's fds; the ring must be stopped. */
    void reset()
    {
        replaceKickFd(-1);
        replaceCallFd(-1);
        replaceErrFd(-1);
        num = 0;
        base = 0;
        descAddr = 0;
        availAddr = 0;
        usedAddr = 0;
        addressSet = false;
        started = false;
        enabled = false;
        running = null;
    }
}
