package io.vplane.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote endpoint as {@code HOST:PORT} or {@code [IPV6]:PORT}: what an allow-list of remote
 * backends holds and what a backend's URL is checked against. Host names compare ignoring case,
 * addresses by their 16-byte form, so {@code 127.0.0.1} and {@code ::ffff:127.0.0.1} are one host.
 */
public record HostPort(String host, int port)
{
    private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+)):([0-9]{1,5})");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

    /** @return the endpoint, or null when the text is not HOST:PORT with a port of 1..65535 */
    public static HostPort parse(final String text)
    {
        final Matcher m = FORM.matcher(text.strip());
        if (!m.matches())
        {
            return null;
        }
        final int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65_535)
        {
            return null;
        }
        final String host = null != m.group(1) ? m.group(1) : m.group(2);
        if (null != m.group(1) ? !IpLiteral.isLiteral(host) : !(IpLiteral.isLiteral(host) || HOST_NAME.matcher(host).matches()))
        {
            return null;
        }
        return new HostPort(host, port);
    }

    /** Whether the host and port are this endpoint's. */
    public boolean matches(final String otherHost, final int otherPort)
    {
        if (port != otherPort)
        {
            return false;
        }
        final String bare = otherHost.startsWith("[") && otherHost.endsWith("]") ? otherHost.substring(1, otherHost.length() - 1) : otherHost;
        if (IpLiteral.isLiteral(host) && IpLiteral.isLiteral(bare))
        {
            return java.util.Arrays.equals(IpLiteral.parse(host), IpLiteral.parse(bare));
        }
        return host.toLowerCase(Locale.ROOT).equals(bare.toLowerCase(Locale.ROOT));
    }
}
