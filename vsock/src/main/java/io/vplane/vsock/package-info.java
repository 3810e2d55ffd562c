/** The vsock control channel: host side, transports and the guest agent (to come). */
package io.vplane.vsock;
