package io.vplane.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** A command that only groups subcommands ({@code ctl device}, {@code ctl port}, ...): run alone, it is a usage error. */
public abstract class CommandGroup implements Callable<Integer>
{
    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call()
    {
        // values, not keys: an alias maps to the same command
        throw new ParameterException(spec.commandLine(), "missing subcommand: " + String.join(", ",
            spec.subcommands().values().stream().map(CommandLine::getCommandName).distinct().toList()));
    }
}
