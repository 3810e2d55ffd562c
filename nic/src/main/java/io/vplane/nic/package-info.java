/** Net devices: the virtio-net device over vhost-user (built on the virtio module), the vSwitch and uplinks (to come). */
package io.vplane.nic;
