package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Network interfaces by name: if_nametoindex(3). */
public final class NetInterfaces
{
    private static final MethodHandle IF_NAMETOINDEX = NativeCall.downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private NetInterfaces()
    {
    }

    /** @return the interface's index (positive), or {@code -errno} (ENODEV when there is none) */
    public static int index(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int index = (int)IF_NAMETOINDEX.invokeExact(NativeCall.state(), arena.allocateFrom(name));
            return index > 0 ? index : -NativeCall.errno();
        }
        catch (final Throwable ex)
        {
            throw NativeCall.failedToCall("if_nametoindex", ex);
        }
    }
}
