package io.vplane.vsock.control;

import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * How every runtime scales a target whose containers are numbered 1, 2, 3…: down from the highest
 * number, up by filling the lowest free numbers, so the same count always means the same names.
 */
final class ContainerCount
{
    private ContainerCount()
    {
    }

    /**
     * @param running the numbers of the target's containers now (changed in place)
     * @param count   how many there should be, already checked
     * @param remove  removes container {@code n}
     * @param create  creates and starts container {@code n}
     */
    static void reconcile(final TreeSet<Integer> running, final long count, final IntConsumer remove, final IntConsumer create)
    {
        while (running.size() > count)
        {
            remove.accept(running.pollLast());
        }
        for (int n = 1; running.size() < count; n++)
        {
            if (!running.contains(n))
            {
                create.accept(n);
                running.add(n);
            }
        }
    }
}
