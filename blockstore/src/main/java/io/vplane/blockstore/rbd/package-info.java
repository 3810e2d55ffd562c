/**
 * Ceph RBD as a disk's storage system: librbd and librados bound through the FFM API (loaded only
 * when an {@code rbd://} disk is opened), asynchronous requests whose librbd completions are handed
 * to the disk queue's worker, and the cluster connection opened again after it is lost.
 */
package io.vplane.blockstore.rbd;
