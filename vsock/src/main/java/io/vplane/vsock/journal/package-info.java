/**
 * The host's durable command journal on Chronicle Queue: the daemon's record log under
 * {@link io.vplane.vsock.control.CommandJournal}. Host only; the guest agent never loads it.
 */
package io.vplane.vsock.journal;
