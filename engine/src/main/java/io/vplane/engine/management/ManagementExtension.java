package io.vplane.engine.management;

/**
 * Routes a device kind adds to the management API under its own path prefix (through its
 * {@link io.vplane.engine.device.DeviceKind}), so the engine serves them without importing the module.
 * Answers are plain objects (records, maps, lists) written as JSON; an
 * {@link IllegalArgumentException} becomes a 400, a {@link java.util.NoSuchElementException} a 404.
 */
public interface ManagementExtension
{
    /** Path prefix it owns, named after its kind; it gets that path and everything below it. */
    String prefix();

    /**
     * @return the answer, written as JSON
     */
    Object handle(ManagementRequest request);
}
