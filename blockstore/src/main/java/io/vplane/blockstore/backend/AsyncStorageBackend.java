package io.vplane.blockstore.backend;

/**
 * A backend whose requests complete later, on threads of its own (a remote server), so a blk
 * worker submits them and goes on with other tenants' work instead of waiting. Each disk queue
 * opens its own {@link BackendChannel}.
 */
public interface AsyncStorageBackend extends StorageBackend
{
    /** A channel for one disk queue's requests; only that queue's worker submits through it. */
    BackendChannel openChannel();
}
