package io.vplane.engine.linux;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this kernel and libc offer something a call relies on, probed once; when they do not,
 * why, said once in the log so that a slower fallback is never a mystery.
 */
public final class KernelCapability
{
    private static final Logger LOG = LoggerFactory.getLogger(KernelCapability.class);

    private final String name;
    private final String missingReason;

    private KernelCapability(final String name, final String missingReason)
    {
        this.name = name;
        this.missingReason = missingReason;
    }

    static KernelCapability available(final String name)
    {
        return new KernelCapability(name, null);
    }

    static KernelCapability missing(final String name, final String reason)
    {
        LOG.info("{} is not available: {}", name, reason);
        return new KernelCapability(name, reason);
    }

    public String name()
    {
        return name;
    }

    public boolean isAvailable()
    {
        return null == missingReason;
    }

    /** Why it is missing, or an empty string when it is available. */
    public String missingReason()
    {
        return null == missingReason ? "" : missingReason;
    }

    @Override
    public String toString()
    {
        return isAvailable() ? name + ": available" : name + ": missing (" + missingReason + ")";
    }
}
