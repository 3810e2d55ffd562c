package io.vplane.perf.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A side-by-side benchmark script and the arguments it runs with. */
public record Benchmark(String name, Path script, List<String> args)
{
    /**
     * The benchmarks of a list in the form of perf/benchmarks.tsv: {@code NAME<TAB>quick args<TAB>full args}
     * per line, '#' comments. NAME is a script of {@code binDir}, or a path relative to the list's
     * directory when it holds a '/'.
     */
    public static List<Benchmark> readList(final Path list, final Path binDir, final boolean quick) throws IOException
    {
        final List<Benchmark> benchmarks = new ArrayList<>();
        for (final String line : Files.readAllLines(list))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final String[] fields = line.split("\t", -1);
            if (fields.length != 3)
            {
                throw new IllegalArgumentException(list + ": a line is NAME<TAB>quick args<TAB>full args, not '" + line + "'");
            }
            final String name = fields[0].trim();
            final Path script = name.contains("/") ? list.toAbsolutePath().getParent().resolve(name).normalize() : binDir.resolve(name);
            final String args = (quick ? fields[1] : fields[2]).trim();
            benchmarks.add(new Benchmark(script.getFileName().toString(), script,
                args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+"))));
        }
        return benchmarks;
    }
}
