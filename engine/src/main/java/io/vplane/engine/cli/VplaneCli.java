package io.vplane.engine.cli;

import io.vplane.engine.device.DeviceKinds;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/vplane}. */
@Command(
    name = "vplane",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Userspace virtual-I/O data plane: virtual net, block and vsock devices.",
    subcommands = {RunCommand.class, ConfigCommand.class, StatCommand.class, CtlCommand.class, TuneCommand.class, CommandLine.HelpCommand.class})
public final class VplaneCli
{
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the {@code ctl} subcommands and {@code stat} tables of the installed device kinds. */
    public static CommandLine commandLine()
    {
        return commandLine(DeviceKinds.load());
    }

    public static CommandLine commandLine(final DeviceKinds kinds)
    {
        final CommandLine commandLine = new CommandLine(new VplaneCli());
        final CommandLine ctl = commandLine.getSubcommands().get("ctl");
        for (final Object command : kinds.ctlCommands())
        {
            ctl.addSubcommand(command);
        }
        commandLine.getSubcommands().get("stat").<StatCommand>getCommand().kindSections = kinds.statSections();
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("vplane: " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return commandLine;
    }
}
