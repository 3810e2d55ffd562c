package io.vplane.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads a vplane YAML configuration into a {@link VplaneConfig}, reporting every problem with its
 * file, line, column and setting path in one {@link ConfigException}.
 */
public final class ConfigLoader
{
    /** Classpath location of the embedded default, a copy of the reference file {@code config/vplane.yaml}. */
    public static final String DEFAULT_RESOURCE = "/io/vplane/config/vplane.yaml";
    public static final String DEFAULT_SOURCE_NAME = "<embedded default>";

    private ConfigLoader()
    {
    }

    /** A file with no device sections: only the daemon, management, counters and pools. */
    public static VplaneConfig load(final Path file)
    {
        return load(file, List.of());
    }

    /**
     * @param schema the sections of the installed device kinds
     */
    public static VplaneConfig load(final Path file, final List<ConfigSection<?>> schema)
    {
        final String source = file.toString();
        if (!Files.exists(file))
        {
            throw ConfigException.of(source, "file does not exist");
        }
        if (Files.isDirectory(file))
        {
            throw ConfigException.of(source, "is a directory, not a configuration file");
        }
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final CharacterCodingException ex)
        {
            throw ConfigException.of(source, "is not UTF-8 text");
        }
        catch (final IOException ex)
        {
            throw ConfigException.of(source, "cannot be read: " + ex);
        }
        return parse(text, source, schema);
    }

    /**
     * @param sourceName names the text in error messages, usually its file name
     */
    public static VplaneConfig parse(final String yamlText, final String sourceName)
    {
        return parse(yamlText, sourceName, List.of());
    }

    /**
     * @param sourceName names the text in error messages, usually its file name
     * @param schema     the sections of the installed device kinds
     */
    public static VplaneConfig parse(final String yamlText, final String sourceName, final List<ConfigSection<?>> schema)
    {
        final ErrorCollector errors = new ErrorCollector(sourceName);
        final Node root = compose(yamlText, sourceName, errors);
        errors.throwIfAny();
        final VplaneConfig config = ConfigBinder.bind(SectionReader.root(errors, root), schema);
        errors.throwIfAny();
        return config;
    }

    /**
     * The configuration the daemon runs with when no file is given: the reference file, embedded.
     *
     * @param schema the sections of the installed device kinds; the file has sections of every kind vplane ships
     */
    public static VplaneConfig loadDefault(final List<ConfigSection<?>> schema)
    {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE))
        {
            if (null == in)
            {
                throw ConfigException.of(DEFAULT_SOURCE_NAME, "resource " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_SOURCE_NAME, schema);
        }
        catch (final IOException ex)
        {
            throw ConfigException.of(DEFAULT_SOURCE_NAME, "cannot be read: " + ex);
        }
    }

    /**
     * @return the root node, or null for an empty document or after reporting a syntax error
     */
    private static Node compose(final String yamlText, final String sourceName, final ErrorCollector errors)
    {
        // Core schema: '~', 'null' and an empty value all read as null, as in YAML 1.2.
        final LoadSettings settings = LoadSettings.builder()
            .setLabel(sourceName)
            .setSchema(new CoreSchema())
            .build();
        try
        {
            final Optional<Node> root = new Compose(settings).composeString(yamlText);
            return root.orElse(null);
        }
        catch (final MarkedYamlEngineException ex)
        {
            errors.add(problemMark(ex), "", "YAML syntax error: " + syntaxProblem(ex));
        }
        catch (final ReaderException ex)
        {
            errors.add(Optional.empty(), "", "cannot read YAML: " + ex.getMessage());
        }
        catch (final YamlEngineException ex)
        {
            errors.add(Optional.empty(), "", "YAML syntax error: " + ex.getMessage());
        }
        return null;
    }

    private static Optional<Mark> problemMark(final MarkedYamlEngineException ex)
    {
        return ex.getProblemMark().isPresent() ? ex.getProblemMark() : ex.getContextMark();
    }

    /** The problem, plus the context snakeyaml gives (e.g. "while scanning a quoted scalar") and where it began. */
    private static String syntaxProblem(final MarkedYamlEngineException ex)
    {
        final StringBuilder sb = new StringBuilder(null == ex.getProblem() ? "malformed YAML" : ex.getProblem());
        final String context = ex.getContext();
        if (null != context && !context.isEmpty())
        {
            sb.append(" (").append(context);
            ex.getContextMark().ifPresent(m -> sb.append(" started at line ").append(m.getLine() + 1)
                .append(", column ").append(m.getColumn() + 1));
            sb.append(')');
        }
        return sb.toString();
    }
}
