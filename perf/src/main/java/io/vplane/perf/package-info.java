/** Benchmarks and side-by-side harnesses that print vplane's figures next to an anchor measured in the same run. */
package io.vplane.perf;
