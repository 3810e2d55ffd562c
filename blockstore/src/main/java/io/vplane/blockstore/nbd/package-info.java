/**
 * The NBD protocol (NetworkBlockDevice/nbd doc/proto.md) as a front end of the block path: wire
 * layouts as flyweights, the fixed newstyle handshake and option haggling, the transmission phase
 * that translates NBD requests to block requests and their outcomes to replies, the limits one
 * client may hold, and the Netty server.
 */
package io.vplane.blockstore.nbd;
