/** NBD benchmarks: the request path of vplane's NBD server, from socket to file and back, in one JVM. */
package io.vplane.perf.nbd;
