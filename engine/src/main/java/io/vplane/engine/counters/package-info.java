/**
 * Live counters in a memory-mapped file that any process can read without asking the daemon: the
 * file layout, the {@code metric{label="value"}} label convention, and the Prometheus text view.
 */
package io.vplane.engine.counters;
