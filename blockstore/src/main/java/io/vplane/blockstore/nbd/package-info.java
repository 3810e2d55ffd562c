/**
 * The NBD protocol (NetworkBlockDevice/nbd doc/proto.md): wire layouts as flyweights, the fixed
 * newstyle handshake and option haggling, the transmission phase, and the Netty server.
 */
package io.vplane.blockstore.nbd;
