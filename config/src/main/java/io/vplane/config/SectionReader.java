package io.vplane.config;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the settings of one YAML mapping by name, checking type and range as it goes. A bad value
 * is reported to the {@link ErrorCollector} and the default returned, so binding carries on and
 * every problem in the file is found. It remembers which keys were asked for, and
 * {@link #finish()} reports the rest as unknown.
 */
public final class SectionReader
{
    /** The longest Unix socket path: sockaddr_un's 108-byte sun_path less its NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+(_[0-9]+)*");
    /** Names of devices and of what they refer to: they appear in paths, counters and URLs. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    private final ErrorCollector errors;
    private final String path;
    private final Optional<Mark> mark;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final List<String> known = new ArrayList<>();

    private SectionReader(
        final ErrorCollector errors, final String path, final Optional<Mark> mark, final MappingNode mapping)
    {
        this.errors = errors;
        this.path = path;
        this.mark = mark;
        if (null != mapping)
        {
            index(mapping);
        }
    }

    /**
     * @param node the document's root node; null for an empty document
     */
    static SectionReader root(final ErrorCollector errors, final Node node)
    {
        return of(errors, "", node, Optional.empty());
    }

    public String path()
    {
        return path;
    }

    public String path(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    public int integer(final String key, final int fallback, final SettingRange range)
    {
        return (int)longValue(key, fallback, range.min(), range.max());
    }

    public long longValue(final String key, final long fallback, final SettingRange range)
    {
        return longValue(key, fallback, range.min(), range.max());
    }

    public int powerOfTwo(final String key, final int fallback, final SettingRange range)
    {
        return powerOfTwo(key, fallback, (int)range.min(), (int)range.max());
    }

    public int integer(final String key, final int fallback, final int min, final int max)
    {
        return (int)longValue(key, fallback, min, max);
    }

    public long longValue(final String key, final long fallback, final long min, final long max)
    {
        final BigInteger value = integerInRange(key, min, max, false);
        return null == value ? fallback : value.longValueExact();
    }

    /** Ring and queue capacities: index masks need a power of two. */
    public int powerOfTwo(final String key, final int fallback, final int min, final int max)
    {
        final BigInteger value = integerInRange(key, min, max, true);
        return null == value ? fallback : value.intValueExact();
    }

    /** @return the integer at {@code key}, or null when it is missing or was reported as wrong */
    private BigInteger integerInRange(final String key, final long min, final long max, final boolean powerOfTwo)
    {
        final Node node = take(key);
        if (null == node)
        {
            return null;
        }
        final BigInteger value = integerOf(node, path(key), "an integer");
        if (null == value)
        {
            return null;
        }
        if (!inRange(value, min, max) || powerOfTwo && 1 != value.bitCount())
        {
            errors.add(node.getStartMark(), path(key), powerOfTwo ?
                key + " " + value + " must be a power of two between " + min + " and " + max :
                value + " is out of range; allowed " + min + ".." + max);
            return null;
        }
        return value;
    }

    public boolean bool(final String key, final boolean fallback)
    {
        final Node node = take(key);
        if (null == node)
        {
            return fallback;
        }
        final String text = node instanceof final ScalarNode scalar && !isNull(node) ? scalar.getValue() : "";
        return switch (text)
        {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default ->
            {
                errors.add(node.getStartMark(), path(key), "expected true or false, got " + describe(node));
                yield fallback;
            }
        };
    }

    public String string(final String key, final String fallback)
    {
        final Node node = take(key);
        if (null == node)
        {
            return fallback;
        }
        final String value = stringOf(node, path(key));
        return null == value ? fallback : value;
    }

    /**
     * A required Unix socket path of 1 to {@code maxBytes} bytes in UTF-8 (a {@code sun_path} holds
     * {@link #MAX_UNIX_PATH_BYTES} and the NUL; a path with a suffix added later needs less).
     *
     * @return the path, or null after reporting that it is missing, not a string or of a bad length
     */
    public String requiredUnixPath(final String key, final int maxBytes)
    {
        final String path = requiredString(key);
        if (null != path && (path.isEmpty() || path.getBytes(StandardCharsets.UTF_8).length > maxBytes))
        {
            reject(key, key + " must be 1 to " + maxBytes + " bytes, got " + path.length() + " characters");
            return null;
        }
        return path;
    }

    /**
     * @return the value, or null after reporting that the setting is missing or not a string
     */
    public String requiredString(final String key)
    {
        final Node node = take(key);
        if (null == node)
        {
            errors.add(mark, path, "missing required setting '" + key + "'");
            return null;
        }
        return stringOf(node, path(key));
    }

    /**
     * A required name (of a device, or of something a device refers to), 1 to 32 of {@code A-Z a-z 0-9 _ . -}.
     *
     * @param what names it in the message, e.g. "device" gives "device name 'x' is not allowed"
     * @return the name, or null after reporting that it is missing or not allowed
     */
    public String requiredName(final String key, final String what)
    {
        final String name = requiredString(key);
        return null == name ? null : checkedName(key, name, what);
    }

    /**
     * An optional name, checked like {@link #requiredName}.
     *
     * @return the name, or {@code fallback} after reporting that it is not allowed
     */
    public String name(final String key, final String fallback, final String what)
    {
        final String name = checkedName(key, string(key, fallback), what);
        return null == name ? fallback : name;
    }

    /** A name that may be left out. @return it, or null when absent or rejected */
    public String optionalName(final String key, final String what)
    {
        final String name = string(key, null);
        return null == name ? null : checkedName(key, name, what);
    }

    private String checkedName(final String key, final String name, final String what)
    {
        if (NAME.matcher(name).matches())
        {
            return name;
        }
        reject(key, what + " name '" + name + "' is not allowed; use 1 to 32 of A-Z a-z 0-9 _ . -");
        return null;
    }

    /**
     * One of a fixed set of words, matched ignoring case.
     *
     * @param what names the setting in the message, e.g. "log level"
     * @return the allowed spelling of the value
     */
    public String choice(final String key, final String fallback, final List<String> allowed, final String what)
    {
        final Node node = take(key);
        if (null == node)
        {
            return fallback;
        }
        final String value = stringOf(node, path(key));
        if (null == value)
        {
            return fallback;
        }
        for (final String candidate : allowed)
        {
            if (candidate.equalsIgnoreCase(value))
            {
                return candidate;
            }
        }
        errors.add(node.getStartMark(), path(key),
            "unknown " + what + " '" + value + "'; allowed: " + String.join(", ", allowed));
        return fallback;
    }

    public <E extends Enum<E>> E enumValue(
        final String key, final E fallback, final E[] values, final Function<E, String> nameOf, final String what)
    {
        final List<String> names = new ArrayList<>(values.length);
        for (final E value : values)
        {
            names.add(nameOf.apply(value));
        }
        final String chosen = choice(key, nameOf.apply(fallback), names, what);
        return values[names.indexOf(chosen)];
    }

    /**
     * A list of distinct integers such as CPU numbers.
     *
     * @param noun what one item is, e.g. "CPU"; messages speak of "CPU numbers"
     */
    public List<Integer> intList(final String key, final List<Integer> fallback, final int min, final int max, final String noun)
    {
        final Node node = take(key);
        if (null == node || isNull(node))
        {
            return fallback;
        }
        if (!(node instanceof final SequenceNode sequence))
        {
            errors.add(node.getStartMark(), path(key), "expected a list of " + noun + " numbers, got " + describe(node));
            return fallback;
        }
        final List<Integer> values = new ArrayList<>();
        final Set<Integer> seen = new HashSet<>();
        final List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++)
        {
            final Node item = items.get(i);
            final String itemPath = path(key) + "[" + i + "]";
            final BigInteger value = integerOf(item, itemPath, "a " + noun + " number");
            if (null == value)
            {
                continue;
            }
            if (!inRange(value, min, max))
            {
                errors.add(item.getStartMark(), itemPath, value + " is out of range; allowed " + min + ".." + max);
            }
            else if (!seen.add(value.intValueExact()))
            {
                errors.add(item.getStartMark(), itemPath, noun + " " + value + " is listed twice");
            }
            else
            {
                values.add(value.intValueExact());
            }
        }
        return values;
    }

    /** A list of strings, such as address ranges; items that are not strings are reported and skipped. */
    public List<String> stringList(final String key, final List<String> fallback)
    {
        final Node node = take(key);
        if (null == node || isNull(node))
        {
            return fallback;
        }
        if (!(node instanceof final SequenceNode sequence))
        {
            errors.add(node.getStartMark(), path(key), "expected a list of strings, got " + describe(node));
            return fallback;
        }
        final List<String> values = new ArrayList<>();
        final List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++)
        {
            final String value = stringOf(items.get(i), path(key) + "[" + i + "]");
            if (null != value)
            {
                values.add(value);
            }
        }
        return values;
    }

    /** A nested mapping; absent or empty reads as a section with every setting at its default. */
    public SectionReader section(final String key)
    {
        final Node node = take(key);
        final Optional<Mark> where = null == node ? mark : keyMark(key);
        return of(errors, path(key), node, where);
    }

    /** A list of mappings; items that are not mappings are reported and skipped. */
    public List<SectionReader> list(final String key)
    {
        final Node node = take(key);
        if (null == node || isNull(node))
        {
            return List.of();
        }
        if (!(node instanceof final SequenceNode sequence))
        {
            errors.add(node.getStartMark(), path(key), "expected a list, got " + describe(node));
            return List.of();
        }
        final List<SectionReader> readers = new ArrayList<>();
        final List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++)
        {
            final Node item = items.get(i);
            final String itemPath = path(key) + "[" + i + "]";
            if (item instanceof final MappingNode mapping)
            {
                readers.add(new SectionReader(errors, itemPath, item.getStartMark(), mapping));
            }
            else
            {
                errors.add(item.getStartMark(), itemPath, "expected a mapping of settings, got " + describe(item));
            }
        }
        return readers;
    }

    /** Reports a problem with a setting already read, at its value, or at this section when absent. */
    public void reject(final String key, final String message)
    {
        final NodeTuple entry = entries.get(key);
        errors.add(null == entry ? mark : entry.getValueNode().getStartMark(), path(key), message);
    }

    /** 1-based line of a setting's value (or of this section when absent), for "first at line N" hints. */
    public int lineOf(final String key)
    {
        final NodeTuple entry = entries.get(key);
        final Optional<Mark> where = null == entry ? mark : entry.getValueNode().getStartMark();
        return where.map(m -> m.getLine() + 1).orElse(0);
    }

    public void finish()
    {
        finish("setting");
    }

    /**
     * Reports every key that was never asked for, suggesting the closest valid one.
     *
     * @param noun what a key names here, e.g. "setting" or "pool"
     */
    public void finish(final String noun)
    {
        for (final Map.Entry<String, NodeTuple> entry : entries.entrySet())
        {
            final String key = entry.getKey();
            if (known.contains(key))
            {
                continue;
            }
            final StringBuilder message = new StringBuilder("unknown ").append(noun).append(" '").append(key).append('\'');
            final String suggestion = ClosestName.of(key, known);
            if (null != suggestion)
            {
                message.append("; did you mean '").append(suggestion).append("'?");
            }
            message.append(" (valid: ").append(String.join(", ", known)).append(')');
            errors.add(entry.getValue().getKeyNode().getStartMark(), path(key), message.toString());
        }
    }

    private static SectionReader of(
        final ErrorCollector errors, final String path, final Node node, final Optional<Mark> fallbackMark)
    {
        if (null == node || isNull(node))
        {
            return new SectionReader(errors, path, fallbackMark, null);
        }
        if (node instanceof final MappingNode mapping)
        {
            return new SectionReader(errors, path, node.getStartMark(), mapping);
        }
        errors.add(node.getStartMark(), path, "expected a mapping of settings, got " + describe(node));
        return new SectionReader(errors, path, node.getStartMark(), null);
    }

    private void index(final MappingNode mapping)
    {
        for (final NodeTuple tuple : mapping.getValue())
        {
            final Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof final ScalarNode scalar) || isNull(keyNode))
            {
                errors.add(keyNode.getStartMark(), path, "expected a setting name, got " + describe(keyNode));
                continue;
            }
            final String key = scalar.getValue();
            final NodeTuple first = entries.putIfAbsent(key, tuple);
            if (null != first)
            {
                final int firstLine = first.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(0);
                errors.add(keyNode.getStartMark(), path(key), "'" + key + "' is given twice; first at line " + firstLine);
            }
        }
    }

    private Node take(final String key)
    {
        if (!known.contains(key))
        {
            known.add(key);
        }
        final NodeTuple entry = entries.get(key);
        return null == entry ? null : entry.getValueNode();
    }

    private Optional<Mark> keyMark(final String key)
    {
        return entries.get(key).getKeyNode().getStartMark();
    }

    private String stringOf(final Node node, final String nodePath)
    {
        if (node instanceof final ScalarNode scalar && !isNull(node))
        {
            return scalar.getValue();
        }
        errors.add(node.getStartMark(), nodePath, "expected a string, got " + describe(node));
        return null;
    }

    private BigInteger integerOf(final Node node, final String nodePath, final String expected)
    {
        if (node instanceof final ScalarNode scalar && !isNull(node))
        {
            final String text = scalar.getValue().strip();
            if (INTEGER.matcher(text).matches())
            {
                return new BigInteger(text.replace("_", ""));
            }
        }
        errors.add(node.getStartMark(), nodePath, "expected " + expected + ", got " + describe(node));
        return null;
    }

    private static boolean inRange(final BigInteger value, final long min, final long max)
    {
        return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0;
    }

    private static boolean isNull(final Node node)
    {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(final Node node)
    {
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }
        if (node instanceof SequenceNode)
        {
            return "a list";
        }
        if (isNull(node))
        {
            return "nothing";
        }
        return "'" + ((ScalarNode)node).getValue() + "'";
    }
}
