/**
 * Guest memory shared by a vhost-user frontend: the regions of SET_MEM_TABLE mapped into this
 * process, and bounds-checked translation of frontend-virtual and guest-physical addresses.
 */
package io.vplane.virtio.memory;
