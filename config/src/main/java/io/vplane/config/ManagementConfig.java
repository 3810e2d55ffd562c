package io.vplane.config;

/**
 * @param enabled     whether the HTTP management API runs
 * @param bindAddress address the API listens on
 * @param httpPort    TCP port; 0 picks a free one (the chosen URL is written to the run directory)
 */
public record ManagementConfig(boolean enabled, String bindAddress, int httpPort)
{
}
