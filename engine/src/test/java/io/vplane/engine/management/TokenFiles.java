package io.vplane.engine.management;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Token files for tests, written as an operator would: mode 0600. */
public final class TokenFiles
{
    public static final String TOKEN = "s3cret-token-of-the-tests";

    private TokenFiles()
    {
    }

    public static Path write(final Path dir) throws Exception
    {
        final Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    public static BearerToken token(final Path dir) throws Exception
    {
        return BearerToken.readFrom(write(dir));
    }
}
