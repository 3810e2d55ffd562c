package io.vplane.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One side of a benchmark, as {@code NAME --sides} lists it: {@code SIDE<TAB>ROLE<TAB>description}. */
public record Side(String name, Role role, String description)
{
    /** vplane is the subject; each real peer measured beside it is an anchor. */
    public enum Role
    {
        SUBJECT,
        ANCHOR;

        public String word()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The sides of a {@code --sides} output, subject first; exactly one subject and at least one anchor. */
    public static List<Side> parseAll(final String output)
    {
        final List<Side> sides = new ArrayList<>();
        Side subject = null;
        for (final String line : output.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] fields = line.strip().split("\t", 3);
            if (fields.length < 2 || fields[0].isBlank())
            {
                throw new IllegalArgumentException("a --sides line is SIDE<TAB>ROLE<TAB>description, not '" + line + "'");
            }
            final Role role = switch (fields[1].trim())
            {
                case "subject" -> Role.SUBJECT;
                case "anchor" -> Role.ANCHOR;
                default -> throw new IllegalArgumentException("ROLE must be 'subject' or 'anchor', not '" + fields[1] + "'");
            };
            final Side side = new Side(fields[0].trim(), role, fields.length > 2 ? fields[2].trim() : "");
            if (sides.stream().anyMatch(s -> s.name.equals(side.name)))
            {
                throw new IllegalArgumentException("side '" + side.name + "' is listed twice");
            }
            if (role == Role.SUBJECT)
            {
                if (subject != null)
                {
                    throw new IllegalArgumentException("two subjects: '" + subject.name + "' and '" + side.name + "'");
                }
                subject = side;
            }
            else
            {
                sides.add(side);
            }
        }
        if (subject == null || sides.isEmpty())
        {
            throw new IllegalArgumentException("--sides must list one subject and at least one anchor, got: " + output.strip());
        }
        sides.addFirst(subject);
        return List.copyOf(sides);
    }
}
