package io.vplane.vsock.config;

import java.util.List;

/**
 * The {@code control} section: where container commands are journaled and how each VM's agent is
 * reached. Fixed at start: a change needs a restart.
 *
 * @param journalFile the command journal; relative to the state directory; empty: control.journal there
 * @param vms         each VM's interface information, in file order
 * @param answerTimeoutMs how long a link waits for a command's result before it takes the guest
 *                    or agent for hung, reconnects and sends the command again
 */
public record ControlConfig(String journalFile, List<ControlVmConfig> vms, int answerTimeoutMs)
{
    public static final int ANSWER_TIMEOUT_MS = 30_000;

    public ControlConfig
    {
        vms = List.copyOf(vms);
    }
}
