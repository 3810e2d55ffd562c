package io.vplane.config;

/**
 * One problem found in a configuration source.
 *
 * @param source  file name (or {@code <embedded default>}) the problem is in
 * @param line    1-based line, or 0 when the problem has no position (a missing file, say)
 * @param column  1-based column, or 0 when the problem has no position
 * @param path    dotted setting path such as {@code pools.net.workers}; empty when the problem is not about one setting
 * @param message what was wrong and what is allowed
 */
public record ConfigError(String source, int line, int column, String path, String message)
{
    /**
     * {@code SOURCE:LINE:COL: PATH: MESSAGE}, the shape compilers use so editors can jump to it.
     * Position and path are left out when there is none.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(source);
        if (line > 0)
        {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (!path.isEmpty())
        {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }
}
