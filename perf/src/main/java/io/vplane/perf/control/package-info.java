/** The control channel's command round trip per transport, against a bare echo on the same transport. */
package io.vplane.perf.control;
