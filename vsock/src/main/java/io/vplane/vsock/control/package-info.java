/**
 * The control channel's wire format and its two ends: frames (a documented, versioned binary
 * layout), the host's command journal and link, and the agent that applies container operations
 * in the VM. Uses the JDK only, so the agent runs from this module's jar with nothing else.
 */
package io.vplane.vsock.control;
