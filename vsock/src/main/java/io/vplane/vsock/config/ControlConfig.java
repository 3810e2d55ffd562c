package io.vplane.vsock.config;

import java.util.List;

/**
 * The {@code control} section: where container commands are journaled and how each VM's agent is
 * reached. Fixed at start: a change needs a restart.
 *
 * @param journalFile the command journal; relative to the state directory; empty: control.journal there
 * @param vms         each VM's interface information, in file order
 */
public record ControlConfig(String journalFile, List<ControlVmConfig> vms)
{
    public ControlConfig
    {
        vms = List.copyOf(vms);
    }
}
