package io.vplane.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets one scalar in a YAML config file's text, leaving every other byte alone: comments, blank
 * lines, order and layout stay as the operator wrote them. Only block mappings are followed (the
 * style of the reference config); a path through a flow mapping ({@code pools: {net: ...}}) is
 * refused rather than rewritten. A key that is missing is inserted under its parent, indented like
 * the parent's other keys.
 */
public final class ConfigTextEdit
{
    private static final Pattern KEY_LINE = Pattern.compile("^( *)([A-Za-z0-9_.-]+|\"[^\"]*\"|'[^']*'):(.*)$");
    private static final Pattern VALUE_AND_COMMENT = Pattern.compile("^(\\s*)([^#]*?)(\\s*#.*)?$");

    private ConfigTextEdit()
    {
    }

    /**
     * @param text  the file's text
     * @param path  mapping keys from the top, e.g. {@code pools, net, queuesPerWorker}
     * @param value the new scalar, as YAML text
     * @return the text with that one value changed (or the key added)
     * @throws IllegalArgumentException when the path runs through a value that is not a block mapping
     */
    public static String setScalar(final String text, final List<String> path, final String value)
    {
        if (path.isEmpty())
        {
            throw new IllegalArgumentException("empty path");
        }
        final String newline = text.contains("\r\n") ? "\r\n" : "\n";
        final List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        int start = 0;
        int end = lines.size();
        int parentIndent = -1;
        int parentLine = -1;
        for (int depth = 0; depth < path.size(); depth++)
        {
            final String key = path.get(depth);
            final boolean leaf = depth == path.size() - 1;
            int childIndent = -1;
            int found = -1;
            for (int i = start; i < end; i++)
            {
                final Matcher line = KEY_LINE.matcher(lines.get(i));
                if (!line.matches())
                {
                    continue;
                }
                final int indent = line.group(1).length();
                if (indent <= parentIndent)
                {
                    end = i;
                    break;
                }
                if (childIndent < 0)
                {
                    childIndent = indent;
                }
                if (indent == childIndent && unquote(line.group(2)).equals(key))
                {
                    found = i;
                    break;
                }
            }
            if (found < 0)
            {
                final int indent = childIndent >= 0 ? childIndent : parentIndent + 2;
                final int at = insertionPoint(lines, start, end, parentLine);
                final List<String> added = new ArrayList<>();
                for (int d = depth; d < path.size(); d++)
                {
                    final int own = indent + 2 * (d - depth);
                    added.add(" ".repeat(own) + path.get(d) + ":" + (d == path.size() - 1 ? " " + value : ""));
                }
                lines.addAll(at, added);
                return String.join(newline, lines);
            }
            final Matcher line = KEY_LINE.matcher(lines.get(found));
            line.matches();
            final String rest = line.group(3);
            if (leaf)
            {
                final Matcher valueAndComment = VALUE_AND_COMMENT.matcher(rest);
                if (!valueAndComment.matches() || valueAndComment.group(2).startsWith("{") || valueAndComment.group(2).startsWith("["))
                {
                    throw new IllegalArgumentException(String.join(".", path) + " is not a plain scalar in the file");
                }
                final String spacing = valueAndComment.group(1).isEmpty() ? " " : valueAndComment.group(1);
                final String comment = null == valueAndComment.group(3) ? "" : valueAndComment.group(3);
                lines.set(found, line.group(1) + line.group(2) + ":" + spacing + value + comment);
                return String.join(newline, lines);
            }
            final String inline = rest.replaceFirst("\\s*#.*$", "").strip();
            if (!inline.isEmpty())
            {
                throw new IllegalArgumentException(String.join(".", path.subList(0, depth + 1)) +
                    " is written inline (" + inline + "); only block mappings can be edited in place");
            }
            parentIndent = line.group(1).length();
            parentLine = found;
            start = found + 1;
            end = blockEnd(lines, start, parentIndent);
        }
        throw new IllegalStateException("unreachable");
    }

    /** The first line after {@code start} that is a key at or left of {@code indent}, or the end. */
    private static int blockEnd(final List<String> lines, final int start, final int indent)
    {
        for (int i = start; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#"))
            {
                continue;
            }
            if (line.length() - line.stripLeading().length() <= indent)
            {
                return i;
            }
        }
        return lines.size();
    }

    /** Right after the parent's last non-blank line of content, or at the file's end for a top-level key. */
    private static int insertionPoint(final List<String> lines, final int start, final int end, final int parentLine)
    {
        if (parentLine < 0)
        {
            int at = lines.size();
            while (at > 0 && lines.get(at - 1).isEmpty())
            {
                at--;
            }
            return at;
        }
        int at = end;
        while (at > start && (lines.get(at - 1).isBlank() || lines.get(at - 1).stripLeading().startsWith("#")))
        {
            at--;
        }
        return Math.max(at, parentLine + 1);
    }

    private static String unquote(final String key)
    {
        return key.length() >= 2 && (key.startsWith("\"") || key.startsWith("'")) ? key.substring(1, key.length() - 1) : key;
    }
}
