package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/**
 * Scheduling: pins the calling thread to one CPU with {@code sched_setaffinity(2)}, moves any
 * thread of the process to a set of CPUs, reads the CPUs it may use ({@code sched_getaffinity(2)})
 * and the CPU it runs on ({@code sched_getcpu(3)}).
 */
public final class CpuAffinity
{
    /** glibc's cpu_set_t: 1024 bits. */
    private static final int CPU_SET_BYTES = 128;
    public static final int MAX_CPU = CPU_SET_BYTES * 8 - 1;

    private static final MethodHandle SCHED_SETAFFINITY = NativeCall.downcall("sched_setaffinity",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = NativeCall.downcall("sched_getaffinity",
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle SCHED_GETCPU = NativeCall.infallibleDowncall("sched_getcpu", FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private CpuAffinity()
    {
    }

    /**
     * Pins the calling thread to {@code cpu}.
     *
     * @return 0 on success, else the errno the kernel gave (EINVAL: no such CPU in the allowed set; EPERM)
     */
    public static int pinCurrentThread(final int cpu)
    {
        if (cpu < 0 || cpu > MAX_CPU)
        {
            throw new IllegalArgumentException("cpu out of range 0.." + MAX_CPU + ": " + cpu);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte)(1 << (cpu % 8)));
            // pid 0 = the calling thread
            final int rc = (int)SCHED_SETAFFINITY.invokeExact(NativeCall.state(), 0, (long)CPU_SET_BYTES, mask);
            return rc == 0 ? 0 : NativeCall.errno();
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("sched_setaffinity failed", ex);
        }
    }

    /**
     * Lets thread {@code tid} of this process (0: the calling thread) run on {@code cpus} only.
     *
     * @return 0 on success, else the errno the kernel gave (ESRCH: the thread is gone; EINVAL: none of them usable)
     */
    public static int setThreadAffinity(final int tid, final BitSet cpus)
    {
        if (cpus.isEmpty() || cpus.length() > MAX_CPU + 1)
        {
            throw new IllegalArgumentException("CPUs must be 0.." + MAX_CPU + " and at least one: " + cpus);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            final byte[] bits = cpus.toByteArray(); // little-endian bit order, as cpu_set_t
            MemorySegment.copy(bits, 0, mask, ValueLayout.JAVA_BYTE, 0, bits.length);
            final int rc = (int)SCHED_SETAFFINITY.invokeExact(NativeCall.state(), tid, (long)CPU_SET_BYTES, mask);
            return rc == 0 ? 0 : NativeCall.errno();
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("sched_setaffinity failed", ex);
        }
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet allowedCpus()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            final int rc = (int)SCHED_GETAFFINITY.invokeExact(NativeCall.state(), 0, (long)CPU_SET_BYTES, mask);
            if (rc != 0)
            {
                throw new IllegalStateException("sched_getaffinity failed: errno " + NativeCall.errno());
            }
            return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_BYTE));
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("sched_getaffinity failed", ex);
        }
    }

    /** The CPU the calling thread runs on now, or -1 if unknown. */
    public static int currentCpu()
    {
        try
        {
            return (int)SCHED_GETCPU.invokeExact();
        }
        catch (final Throwable ex)
        {
            return -1;
        }
    }
}
