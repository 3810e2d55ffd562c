package io.vplane.perf.report;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A perf command run with picocli, printing to the streams it is given: usage errors exit 2 with
 * the usage, options it does not know go to its positional parameters.
 */
abstract class CommandLines implements Callable<Integer>
{
    protected PrintStream out = System.out;
    protected PrintStream err = System.err;

    /** Runs the command on this process's streams and exits with its status. */
    static void exit(final CommandLines command, final String[] args)
    {
        System.exit(command.execute(args, System.out, System.err));
    }

    final int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
        return new CommandLine(this)
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
