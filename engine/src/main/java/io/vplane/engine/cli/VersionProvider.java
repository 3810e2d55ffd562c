package io.vplane.engine.cli;

import picocli.CommandLine;

/** The version from the jar manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        final String version = VplaneCli.class.getPackage().getImplementationVersion();
        return new String[] {"vplane " + (null == version ? "development" : version)};
    }
}
