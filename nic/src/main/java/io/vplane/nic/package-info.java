/** Net devices: vhost-user backend, virtqueues, guest memory, vSwitch and uplinks (to come). */
package io.vplane.nic;
