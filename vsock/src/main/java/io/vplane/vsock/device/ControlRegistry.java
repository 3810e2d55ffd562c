package io.vplane.vsock.device;

import io.vplane.vsock.control.ControlService;

import java.util.NoSuchElementException;

/** The control service while its device is open: what the {@code /container} routes act on. */
public final class ControlRegistry
{
    private volatile ControlService service;

    void opened(final ControlService running)
    {
        service = running;
    }

    void closed(final ControlService running)
    {
        if (service == running)
        {
            service = null;
        }
    }

    public ControlService service()
    {
        final ControlService running = service;
        if (null == running)
        {
            throw new NoSuchElementException("no control channel: the control section names no VM (see docs/vsock.md)");
        }
        return running;
    }
}
