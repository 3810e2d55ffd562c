package io.vplane.blockstore.rbd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A disk's {@code image} when it lives in Ceph RBD:
 * <pre>
 *   rbd://POOL[/NAMESPACE]/IMAGE[@SNAP][?conf=PATH&amp;id=NAME&amp;keyring=PATH&amp;timeoutMs=N]
 * </pre>
 * {@code conf} is the cluster's ceph.conf (default: librados' search, {@code $CEPH_CONF} then
 * {@code /etc/ceph/ceph.conf}), {@code id} the cephx user without {@code client.} (default
 * {@code admin}), {@code keyring} its keyring (default: the one the conf names), {@code timeoutMs}
 * how long a request or the connection may wait for the cluster before it fails (default 30000).
 * A snapshot is served read-only.
 *
 * @param pool      the pool
 * @param namespace the RBD namespace inside the pool, or empty
 * @param image     the image name
 * @param snapshot  the snapshot, or null for the image itself
 * @param conf      absolute path of ceph.conf, or null
 * @param id        the cephx user, e.g. {@code admin}
 * @param keyring   absolute path of the keyring, or null
 * @param timeoutMs request and connect timeout
 */
public record RbdImageUri(
    String pool, String namespace, String image, String snapshot, String conf, String id, String keyring, long timeoutMs)
{
    public static final String SCHEME = "rbd://";
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    private static final long MAX_TIMEOUT_MS = 600_000;
    /** Names of pools, namespaces, images, snapshots and users: what the rbd CLI takes without quoting. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}");
    /** An absolute path with no {@code ..} step and nothing a shell or a conf parser treats specially. */
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_.+-]+)+");
    private static final String FORM = "rbd://POOL[/NAMESPACE]/IMAGE[@SNAP][?conf=PATH&id=NAME&keyring=PATH&timeoutMs=N]";

    public static boolean isUri(final String image)
    {
        return image.startsWith(SCHEME);
    }

    /** @throws IllegalArgumentException naming what is wrong and the form expected */
    public static RbdImageUri parse(final String uri)
    {
        if (!isUri(uri))
        {
            throw bad(uri, "it does not start with " + SCHEME);
        }
        final String rest = uri.substring(SCHEME.length());
        final int q = rest.indexOf('?');
        final String location = q < 0 ? rest : rest.substring(0, q);
        final Map<String, String> options = options(uri, q < 0 ? "" : rest.substring(q + 1));

        final String[] parts = location.split("/", -1);
        if (parts.length < 2 || parts.length > 3)
        {
            throw bad(uri, "it needs a pool and an image, and at most a namespace between them");
        }
        String image = parts[parts.length - 1];
        String snapshot = null;
        final int at = image.indexOf('@');
        if (at >= 0)
        {
            snapshot = name(uri, "snapshot", image.substring(at + 1));
            image = image.substring(0, at);
        }
        final String pool = name(uri, "pool", parts[0]);
        final String namespace = 3 == parts.length ? name(uri, "namespace", parts[1]) : "";
        name(uri, "image", image);

        final String conf = path(uri, "conf", options.get("conf"));
        final String keyring = path(uri, "keyring", options.get("keyring"));
        final String id = null == options.get("id") ? "admin" : name(uri, "id", options.get("id"));
        long timeoutMs = DEFAULT_TIMEOUT_MS;
        if (null != options.get("timeoutMs"))
        {
            final String text = options.get("timeoutMs");
            if (!text.matches("[0-9]{1,6}") || Long.parseLong(text) < 1000 || Long.parseLong(text) > MAX_TIMEOUT_MS)
            {
                throw bad(uri, "timeoutMs must be 1000 to " + MAX_TIMEOUT_MS + " (milliseconds), not '" + text + "'");
            }
            timeoutMs = Long.parseLong(text);
        }
        return new RbdImageUri(pool, namespace, image, snapshot, conf, id, keyring, timeoutMs);
    }

    /** POOL[/NAMESPACE]/IMAGE[@SNAP], as the rbd CLI names it. */
    public String spec()
    {
        return pool + (namespace.isEmpty() ? "" : "/" + namespace) + "/" + image + (null == snapshot ? "" : "@" + snapshot);
    }

    /** Whole seconds librados takes for its timeouts, rounded up. */
    long timeoutSeconds()
    {
        return (timeoutMs + 999) / 1000;
    }

    private static Map<String, String> options(final String uri, final String query)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        if (query.isEmpty())
        {
            return options;
        }
        for (final String pair : query.split("&", -1))
        {
            final int eq = pair.indexOf('=');
            final String key = eq < 0 ? pair : pair.substring(0, eq);
            if (!key.equals("conf") && !key.equals("id") && !key.equals("keyring") && !key.equals("timeoutMs"))
            {
                throw bad(uri, "unknown option '" + key + "' (known: conf, id, keyring, timeoutMs)");
            }
            if (eq < 0 || null != options.put(key, pair.substring(eq + 1)))
            {
                throw bad(uri, "option '" + key + "' needs one value");
            }
        }
        return options;
    }

    private static String name(final String uri, final String what, final String value)
    {
        if (!NAME.matcher(value).matches())
        {
            throw bad(uri, "the " + what + " '" + value + "' is not a name (letters, digits, _ . + -, at most 128)");
        }
        return value;
    }

    private static String path(final String uri, final String what, final String value)
    {
        if (null == value)
        {
            return null;
        }
        if (!PATH.matcher(value).matches() || value.contains("/../") || value.endsWith("/..") || value.contains("/./"))
        {
            throw bad(uri, what + " must be an absolute path without . or .. steps, not '" + value + "'");
        }
        return value;
    }

    private static IllegalArgumentException bad(final String uri, final String why)
    {
        return new IllegalArgumentException("not an " + FORM + " image: " + uri + ": " + why);
    }
}
