package io.vplane.engine.cli;

import io.vplane.config.ConfigException;
import io.vplane.engine.device.DeviceKinds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vplane config check FILE}: validates a config file without starting anything. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with config files.",
    subcommands = ConfigCommand.Check.class)
public final class ConfigCommand
{
    @Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a config file; exit 0 if it is valid, 1 with every error otherwise.")
    public static final class Check implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The config file to check.")
        Path file;

        @Override
        public Integer call()
        {
            try
            {
                DeviceKinds.load().load(file);
                spec.commandLine().getOut().println(file + ": valid");
                return 0;
            }
            catch (final ConfigException ex)
            {
                spec.commandLine().getErr().println(ex.getMessage());
                return 1;
            }
        }
    }
}
