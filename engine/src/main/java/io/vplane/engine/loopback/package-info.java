/**
 * The synthetic {@code loopback} device: a generator writes sequence numbers into each queue's
 * ring and the queue checks on the consumer side that they arrive once and in order. It exercises
 * the engine, the placement command and the counters before any real device exists.
 */
package io.vplane.engine.loopback;
