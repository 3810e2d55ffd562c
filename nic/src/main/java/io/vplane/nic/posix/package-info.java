/**
 * Linux system calls that the JDK does not offer (Unix sockets with SCM_RIGHTS, mmap of a passed
 * fd, eventfd), called through the Foreign Function &amp; Memory API.
 */
package io.vplane.nic.posix;
