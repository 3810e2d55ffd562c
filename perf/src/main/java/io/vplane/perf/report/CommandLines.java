package io.vplane.perf.report;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Runs a perf command with picocli: usage errors exit 2 with the usage, options it does not know go to its positional parameters. */
final class CommandLines
{
    private CommandLines()
    {
    }

    static int execute(final Callable<Integer> command, final String[] args, final PrintStream out, final PrintStream err)
    {
        return new CommandLine(command)
            .setUnmatchedOptionsArePositionalParams(true)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setParameterExceptionHandler((ex, ignored) ->
            {
                ex.getCommandLine().getErr().println(ex.getMessage());
                ex.getCommandLine().usage(ex.getCommandLine().getErr());
                return 2;
            })
            .execute(args);
    }
}
