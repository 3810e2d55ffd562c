package io.vplane.engine.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementJson;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What every {@code vplane ctl} request shares: how to find the daemon, one request, the answer
 * printed as JSON ({@code --json}) or as text, and exit 1 with the API's message on an error.
 */
public abstract class ApiCommand implements Callable<Integer>
{
    @Mixin
    DaemonLocation location;

    @Option(names = "--url", paramLabel = "URL", description = "Where the management API is: unix:PATH or http(s)://HOST:PORT (default: the socket in the run directory).")
    String url;

    @Option(names = "--json", description = "Print the API's JSON answer as it is.")
    protected boolean json;

    @Spec
    protected CommandSpec spec;

    protected final ObjectMapper mapper = ManagementJson.mapper();

    /** Turns an answer's JSON body into the text printed without {@code --json}. */
    @FunctionalInterface
    public interface Text
    {
        String of(String body) throws JacksonException;
    }

    @Override
    public final Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            final ManagementClient client = location.managementClient(url);
            out.print(run(client));
            out.flush();
            return 0;
        }
        catch (final ParameterException ex)
        {
            throw ex;
        }
        catch (final JacksonException ex)
        {
            err.println("vplane ctl: unexpected answer from the management API: " + ex.getOriginalMessage());
        }
        catch (final RuntimeException ex)
        {
            err.println("vplane ctl: " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()));
        }
        err.flush();
        return 1;
    }

    /** @return what to print */
    protected abstract String run(ManagementClient client) throws JacksonException;

    /** GET {@code path}, printed as {@code text} renders it. */
    protected final String get(final ManagementClient client, final String path, final Text text) throws JacksonException
    {
        return show(client.get(path), text);
    }

    /** POST {@code request} as JSON to {@code path}, the answer printed as {@code text} renders it. */
    protected final String post(final ManagementClient client, final String path, final Object request, final Text text)
        throws JacksonException
    {
        return show(client.post(path, mapper.writeValueAsString(request)), text);
    }

    /** The body as it came with {@code --json}, else its text. */
    protected final String show(final String body, final Text text) throws JacksonException
    {
        return json ? raw(body) : text.of(body);
    }

    protected static String raw(final String body)
    {
        return body.endsWith("\n") ? body : body + "\n";
    }

    /** A usage error (exit 2) unless the option was given. */
    protected final <T> T required(final String option, final T value)
    {
        if (null == value || (value instanceof final String text && text.isBlank()))
        {
            throw new ParameterException(spec.commandLine(), spec.name() + " needs " + option);
        }
        return value;
    }

    /** A request body from keys and values in turn, in that order. */
    protected static Map<String, Object> fields(final Object... keysAndValues)
    {
        final Map<String, Object> request = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            request.put((String)keysAndValues[i], keysAndValues[i + 1]);
        }
        return request;
    }

    /**
     * Adds keys and values in turn, in that order, leaving out each value that is null: options
     * left out are not sent, so the daemon applies its defaults.
     */
    protected static void putIfSet(final Map<String, Object> request, final Object... keysAndValues)
    {
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            if (null != keysAndValues[i + 1])
            {
                request.put((String)keysAndValues[i], keysAndValues[i + 1]);
            }
        }
    }
}
