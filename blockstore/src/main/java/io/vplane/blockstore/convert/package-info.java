/**
 * Online disk format conversion: a backend serving a disk from a source image while a background
 * copier fills the target chunk by chunk, with a crash-safe map of the chunks already in the target.
 */
package io.vplane.blockstore.convert;
