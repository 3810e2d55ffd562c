package io.vplane.engine.management;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The secret a TCP caller of the management API must send ({@code Authorization: Bearer TOKEN},
 * RFC 6750 §2.1). It is read from a file that only its owner may read or write: a token others can
 * read protects nothing, so such a file is refused rather than used.
 */
public final class BearerToken
{
    private static final String SCHEME = "Bearer ";
    private static final int MIN_TOKEN_CHARS = 16;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] token;

    private BearerToken(final byte[] token)
    {
        this.token = token;
    }

    /**
     * @throws IllegalStateException when the file is missing, a symbolic link, readable or writable by
     *                               group or others, or holds fewer than 16 characters
     */
    public static BearerToken readFrom(final Path file)
    {
        final String text;
        try
        {
            final PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile())
            {
                throw new IllegalStateException("token file " + file + " is not a regular file");
            }
            final Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
            loose.addAll(attributes.permissions());
            loose.retainAll(OTHERS);
            if (!loose.isEmpty())
            {
                throw new IllegalStateException("token file " + file + " must be readable by its owner only (chmod 600), has " +
                    PosixFilePermissions.toString(attributes.permissions()));
            }
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read token file " + file, ex);
        }
        if (text.length() < MIN_TOKEN_CHARS || text.chars().anyMatch(c -> c <= ' ' || c > '~'))
        {
            throw new IllegalStateException("token file " + file + " must hold one token of at least " + MIN_TOKEN_CHARS +
                " printable characters");
        }
        return new BearerToken(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** @param authorization the request's {@code Authorization} header, or null */
    public boolean admits(final String authorization)
    {
        if (null == authorization || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
        {
            return false;
        }
        final byte[] offered = authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
        // Constant time, so the answer's timing does not tell how much of a guess was right.
        return MessageDigest.isEqual(token, offered);
    }

    /** The header value a client sends. */
    public String header()
    {
        return SCHEME + new String(token, StandardCharsets.US_ASCII);
    }
}
