/**
 * The protocol-neutral block request: what a front end (NBD today, vhost-user-blk later) hands a
 * disk's queues and every backend, and how the disk gives the outcome back to that front end.
 */
package io.vplane.blockstore.request;
