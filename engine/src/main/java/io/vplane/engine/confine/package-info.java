/**
 * Keeps the files the daemon touches where the operator put them: paths named by the config or the
 * API stay inside the directories allowed for them, and only sockets the daemon itself left behind
 * are ever removed.
 */
package io.vplane.engine.confine;
