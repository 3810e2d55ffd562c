/** Running a JMH benchmark from a comparison harness: same flags as the harness JVM, GC profiler on. */
package io.vplane.perf.jmh;
