package io.vplane.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/vplane}. */
@Command(
    name = "vplane",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Userspace virtual-I/O data plane: vhost-user net, NBD disks, vsock control.",
    subcommands = {RunCommand.class, ConfigCommand.class, StatCommand.class, CtlCommand.class, CommandLine.HelpCommand.class})
public final class VplaneCli
{
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new VplaneCli());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("vplane: " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return commandLine;
    }
}
