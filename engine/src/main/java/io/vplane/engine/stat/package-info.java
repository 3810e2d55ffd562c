/**
 * {@code vplane stat}: samples of the counters file of a running daemon and the top-like table
 * built from two of them, read without asking the daemon anything.
 */
package io.vplane.engine.stat;
