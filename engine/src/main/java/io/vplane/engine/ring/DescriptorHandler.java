package io.vplane.engine.ring;

/** Receives descriptors drained from a {@link DescriptorRing}. */
@FunctionalInterface
public interface DescriptorHandler
{
    void onDescriptor(long descriptor);
}
