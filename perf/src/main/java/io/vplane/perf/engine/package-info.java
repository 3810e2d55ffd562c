/** Engine benchmarks: the cost of one stage hop through the engine against the bare ring library. */
package io.vplane.perf.engine;
