package io.vplane.nic.port;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace the test owns (deleted on close) and the {@code ip}/{@code ping} commands run
 * in it, each as a child process with a timeout. Needs root (CAP_NET_ADMIN).
 */
final class HostNetwork implements AutoCloseable
{
    private static final long TIMEOUT_S = 60;

    private final String namespace;

    private HostNetwork(final String namespace)
    {
        this.namespace = namespace;
    }

    /** Why these tests cannot run here, or null when they can. */
    static String whyNot()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "needs root: creates a TAP device and a network namespace (CI runs as root)";
        }
        for (final String tool : List.of("/usr/sbin/ip", "/usr/bin/ping"))
        {
            if (!Files.isExecutable(Path.of(tool)) && !Files.isExecutable(Path.of(tool.replace("/usr", ""))))
            {
                return tool + " is missing: run bin/peers";
            }
        }
        return null;
    }

    /**
     * A fresh namespace named {@code prefix} plus this JVM's pid. An old one of that name is removed
     * first, and so is every one of this prefix whose JVM is gone (killed before its close ran): its
     * interfaces would still hold the addresses the new one takes.
     */
    static HostNetwork create(final String prefix) throws IOException, InterruptedException
    {
        final String name = prefix + ProcessHandle.current().pid();
        run(List.of("ip", "netns", "del", name));
        removeOrphans(prefix);
        require(List.of("ip", "netns", "add", name));
        return new HostNetwork(name);
    }

    private static void removeOrphans(final String prefix) throws IOException, InterruptedException
    {
        for (final String line : run(List.of("ip", "netns", "list")).output().split("\n"))
        {
            final String namespace = line.split(" ")[0];
            final String pid = namespace.startsWith(prefix) ? namespace.substring(prefix.length()) : "";
            if (pid.matches("\\d{1,18}") && ProcessHandle.of(Long.parseLong(pid)).isEmpty())
            {
                System.out.println("removing namespace " + namespace + " left by a test process that is gone");
                run(List.of("ip", "netns", "del", namespace));
            }
        }
    }

    String name()
    {
        return namespace;
    }

    /** Moves a host interface into the namespace, gives it {@code cidr} and brings it up. */
    void takeInterface(final String ifName, final String cidr) throws IOException, InterruptedException
    {
        require(List.of("ip", "link", "set", ifName, "netns", namespace));
        require(List.of("ip", "-n", namespace, "addr", "add", cidr, "dev", ifName));
        require(List.of("ip", "-n", namespace, "link", "set", ifName, "up"));
    }

    /** Runs a command inside the namespace. */
    Result exec(final String... command) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        line.addAll(List.of(command));
        return run(line);
    }

    static Result require(final List<String> command) throws IOException, InterruptedException
    {
        final Result result = run(command);
        if (result.exitCode() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): " + result.output());
        }
        return result;
    }

    static Result run(final List<String> command) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>(List.of("timeout", "-s", "KILL", Long.toString(TIMEOUT_S)));
        line.addAll(command);
        final Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_S + 5, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), output);
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        run(List.of("ip", "netns", "del", namespace));
    }

    record Result(int exitCode, String output)
    {
        /** The {@code N received} of a ping summary, -1 when there is none. */
        int pingsReceived()
        {
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) (?:packets )?received").matcher(output);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
    }
}
