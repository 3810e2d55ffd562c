package io.vplane.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/** The project's checkout: where the scripts are, which commit is measured, where output goes. */
record SourceTree(Path top)
{
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The checkout the launcher named (-Dvplane.top), else the working directory. */
    static SourceTree current()
    {
        return new SourceTree(Path.of(System.getProperty("vplane.top", ".")).toAbsolutePath().normalize());
    }

    Path bin()
    {
        return top.resolve("perf/bin");
    }

    Path script(final String name)
    {
        return name.contains("/") ? Path.of(name).toAbsolutePath() : bin().resolve(name);
    }

    Path outDir(final String prefix, final Instant at)
    {
        return top.resolve("perf/target/" + prefix + "-" + STAMP.format(at));
    }

    /** HEAD's commit, with "+changes" when the work tree differs from it; "unknown" outside git. */
    String commit()
    {
        final String head = git("rev-parse", "HEAD");
        if (head.isEmpty())
        {
            return "unknown";
        }
        return git("status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "+changes";
    }

    private String git(final String... args)
    {
        try
        {
            final String[] command = new String[args.length + 3];
            command[0] = "git";
            command[1] = "-C";
            command[2] = top.toString();
            System.arraycopy(args, 0, command, 3, args.length);
            final Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "";
        }
        catch (final IOException e)
        {
            return "";
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
