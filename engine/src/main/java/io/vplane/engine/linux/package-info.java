/**
 * The Linux system calls the JDK does not offer, bound once through the Foreign Function &amp;
 * Memory API: one class per kernel subsystem (files, memory mapping, memfd, eventfd, epoll, poll,
 * Unix sockets, pipes and splice, CPU affinity) and one per kernel structure passed by address.
 * Calls return the raw result, a negative result being {@code -errno}.
 */
package io.vplane.engine.linux;
