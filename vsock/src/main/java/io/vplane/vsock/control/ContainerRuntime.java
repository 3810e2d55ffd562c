package io.vplane.vsock.control;

/**
 * How the agent carries out a container operation in its VM. An implementation throws
 * {@link IllegalArgumentException} or {@link IllegalStateException} with the reason the host is
 * told when it cannot.
 */
public interface ContainerRuntime
{
    /** Runs {@code count} containers of {@code target}, starting or stopping the difference. */
    void scale(String target, long count);

    /** Sets the memory limit of {@code target}'s containers. */
    void memory(String target, long bytes);

    /** Sets the storage size of {@code target}'s containers. */
    void storage(String target, long bytes);
}
