/**
 * Linux system calls that the JDK does not offer (Unix sockets with SCM_RIGHTS, mmap of a passed
 * fd, eventfd, epoll), called through the Foreign Function &amp; Memory API.
 */
package io.vplane.engine.posix;
