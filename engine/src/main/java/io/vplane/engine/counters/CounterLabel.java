package io.vplane.engine.counters;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A counter's identity in the Prometheus sample form {@code metric_name{key="value",key2="value2"}}.
 * It is what gets stored as the counter's label in the counters file, so a reader can rebuild metric
 * families from the file alone. Label values are escaped as in the Prometheus text format.
 *
 * @param metricName the metric name, e.g. {@code vplane_worker_busy_ns_total}
 * @param labels     label pairs in the order they are written
 */
public record CounterLabel(String metricName, List<Pair> labels)
{
    /** One {@code name="value"} label. */
    public record Pair(String name, String value)
    {
        public Pair
        {
            if (!isValidLabelName(name))
            {
                throw new IllegalArgumentException("invalid label name '" + name + "'");
            }
            if (null == value)
            {
                throw new IllegalArgumentException("label '" + name + "' has no value");
            }
        }
    }

    public CounterLabel
    {
        if (!isValidMetricName(metricName))
        {
            throw new IllegalArgumentException("invalid metric name '" + metricName + "'");
        }
        labels = List.copyOf(labels);
        final Set<String> names = new HashSet<>();
        for (final Pair pair : labels)
        {
            if (!names.add(pair.name()))
            {
                throw new IllegalArgumentException("label '" + pair.name() + "' given twice for " + metricName);
            }
        }
    }

    /**
     * @param metricName     the metric name
     * @param nameValuePairs label names and values, alternating: {@code "pool", "net", "worker", "net-0"}
     */
    public static CounterLabel of(final String metricName, final String... nameValuePairs)
    {
        if (0 != (nameValuePairs.length & 1))
        {
            throw new IllegalArgumentException("labels of " + metricName + " must come in name, value pairs");
        }
        final List<Pair> pairs = new ArrayList<>(nameValuePairs.length / 2);
        for (int i = 0; i < nameValuePairs.length; i += 2)
        {
            pairs.add(new Pair(nameValuePairs[i], nameValuePairs[i + 1]));
        }
        return new CounterLabel(metricName, pairs);
    }

    /**
     * @return the value of label {@code name}, or {@code null} when there is no such label
     */
    public String value(final String name)
    {
        for (final Pair pair : labels)
        {
            if (pair.name().equals(name))
            {
                return pair.value();
            }
        }
        return null;
    }

    /** The label set alone, {@code {key="value"}}, or the empty string when there are no labels. */
    public String formatLabels()
    {
        if (labels.isEmpty())
        {
            return "";
        }
        final StringBuilder sb = new StringBuilder();
        sb.append('{');
        for (int i = 0; i < labels.size(); i++)
        {
            final Pair pair = labels.get(i);
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append(pair.name()).append("=\"");
            escape(pair.value(), sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** {@code metric_name{key="value",...}}, or the bare metric name when there are no labels. */
    public String format()
    {
        return metricName + formatLabels();
    }

    @Override
    public String toString()
    {
        return format();
    }

    /**
     * Reads what {@link #format()} writes.
     *
     * @throws IllegalArgumentException when {@code text} is not a well-formed sample name with labels
     */
    public static CounterLabel parse(final String text)
    {
        final int brace = text.indexOf('{');
        if (brace < 0)
        {
            return new CounterLabel(text, List.of());
        }
        final String metricName = text.substring(0, brace);
        final List<Pair> pairs = new ArrayList<>();
        int i = brace + 1;
        while (true)
        {
            if (i >= text.length())
            {
                throw malformed(text, "no closing '}'");
            }
            if ('}' == text.charAt(i))
            {
                i++;
                break;
            }
            final int equals = text.indexOf('=', i);
            if (equals < 0 || equals + 1 >= text.length() || '"' != text.charAt(equals + 1))
            {
                throw malformed(text, "expected name=\"value\" at offset " + i);
            }
            final String name = text.substring(i, equals);
            final StringBuilder value = new StringBuilder();
            i = unescape(text, equals + 2, value);
            pairs.add(new Pair(name, value.toString()));
            if (i < text.length() && ',' == text.charAt(i))
            {
                i++;
            }
            else if (i >= text.length() || '}' != text.charAt(i))
            {
                throw malformed(text, "expected ',' or '}' at offset " + i);
            }
        }
        if (i != text.length())
        {
            throw malformed(text, "text after the closing '}'");
        }
        return new CounterLabel(metricName, pairs);
    }

    /** Prometheus metric names: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    public static boolean isValidMetricName(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean valid = isAsciiLetter(c) || '_' == c || ':' == c || (i > 0 && isAsciiDigit(c));
            if (!valid)
            {
                return false;
            }
        }
        return true;
    }

    /** Prometheus label names: {@code [a-zA-Z_][a-zA-Z0-9_]*}, and not starting with the reserved {@code __}. */
    public static boolean isValidLabelName(final String name)
    {
        if (null == name || name.isEmpty() || name.startsWith("__"))
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean valid = isAsciiLetter(c) || '_' == c || (i > 0 && isAsciiDigit(c));
            if (!valid)
            {
                return false;
            }
        }
        return true;
    }

    private static void escape(final String value, final StringBuilder sb)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** @return the offset just after the closing quote */
    private static int unescape(final String text, final int start, final StringBuilder value)
    {
        int i = start;
        while (i < text.length())
        {
            final char c = text.charAt(i++);
            if ('"' == c)
            {
                return i;
            }
            if ('\\' == c)
            {
                if (i >= text.length())
                {
                    break;
                }
                final char escaped = text.charAt(i++);
                switch (escaped)
                {
                    case '\\' -> value.append('\\');
                    case '"' -> value.append('"');
                    case 'n' -> value.append('\n');
                    default -> throw malformed(text, "unknown escape '\\" + escaped + "'");
                }
            }
            else
            {
                value.append(c);
            }
        }
        throw malformed(text, "unterminated label value");
    }

    private static boolean isAsciiLetter(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException malformed(final String text, final String why)
    {
        return new IllegalArgumentException("malformed counter label '" + text + "': " + why);
    }
}
