/** Block devices: NBD server, disks, backends, images, QoS and the upgrade queues (to come). */
package io.vplane.blockstore;
