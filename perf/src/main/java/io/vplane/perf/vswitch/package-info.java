/**
 * vSwitch benchmarks: frames per second through the switch stage and through the table lookup and
 * rewrite alone, next to the same lookups in a JDK HashMap and an Agrona Object2ObjectHashMap.
 */
package io.vplane.perf.vswitch;
