package io.vplane.config;

/**
 * @param fileName     name of the memory-mapped counters file inside the run directory
 * @param maxCounters  how many counters the file has room for
 */
public record CountersConfig(String fileName, int maxCounters)
{
}
