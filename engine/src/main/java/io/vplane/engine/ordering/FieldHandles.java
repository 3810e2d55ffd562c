package io.vplane.engine.ordering;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** VarHandles on a class's own fields, for its {@code static final} handle constants (which the JIT folds). */
public final class FieldHandles
{
    private FieldHandles()
    {
    }

    /**
     * The handle of field {@code name} of the class that {@code lookup} belongs to: call it with
     * {@code MethodHandles.lookup()} from that class, in a static initialiser. A field that is not
     * there is a build mistake, so it fails the class's initialisation.
     */
    public static VarHandle of(final MethodHandles.Lookup lookup, final String name, final Class<?> type)
    {
        try
        {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
