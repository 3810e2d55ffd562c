package io.vplane.perf.jmh;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run length of a vplane benchmark started by hand (plain JMH, no perf/bin script): 3 warm-up
 * and 5 measured iterations of 1 s in one fork. JMH reads these annotations from the superclass;
 * the perf/bin scripts pass their own timing ({@link SideFigures}), which overrides them.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class DefaultRun
{
}
