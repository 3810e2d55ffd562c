# A JMH benchmark class with the GC profiler, in one fork of 3 warm-ups and N measured iterations,
# the fork started with bin/jvm.options; sourced by the scripts that print B/op. Needs $top.
jmh_gc() { # class iterations seconds [more JMH options]
  local class=$1 iterations=$2 seconds=$3
  shift 3
  JAVA_HOME=$("$top/bin/java-home") || exit 1
  export JAVA_HOME
  local jar="$top/perf/target/benchmarks.jar"
  [ -f "$jar" ] || (cd "$top" && ./mvnw -B -q -DskipTests -pl perf -am package) || exit 1
  # JMH itself (not the measured code) still reads fields through sun.misc.Unsafe
  "$JAVA_HOME/bin/java" @"$top/bin/jvm.options" --sun-misc-unsafe-memory-access=allow -jar "$jar" "$class" -prof gc \
    -wi 3 -w 1s -i "$iterations" -r "${seconds}s" -f 1 -jvmArgsPrepend "@$top/bin/jvm.options" "$@"
}
