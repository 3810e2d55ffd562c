/**
 * The blockstore's routes of the management API ({@code /disk}: list, create, resize, delete, QoS and upgrade of NBD
 * disks while the daemon runs) and the parsing of what operators type there.
 */
package io.vplane.blockstore.management;
