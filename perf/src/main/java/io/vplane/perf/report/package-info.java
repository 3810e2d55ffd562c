/**
 * The side-by-side protocol's runner: sides of a benchmark interleaved in pairs, medians and ratio
 * spreads with a noise verdict, the host's conditions, and the report (Markdown, charts, JSON, compare).
 */
package io.vplane.perf.report;
