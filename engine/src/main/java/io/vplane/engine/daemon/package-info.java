/**
 * The daemon process: run directory, single-instance lock, pid file, signals (SIGHUP reloads,
 * SIGTERM drains and exits), and the management API bound to the engine.
 */
package io.vplane.engine.daemon;
