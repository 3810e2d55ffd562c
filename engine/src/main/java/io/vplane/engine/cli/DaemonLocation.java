package io.vplane.engine.cli;

import io.vplane.config.VplaneConfig;
import io.vplane.engine.daemon.RunDirectory;
import io.vplane.engine.device.DeviceKinds;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How a command that talks to a running daemon finds it: an explicit run directory, or the one
 * named by a config file, or the one of the embedded default config.
 */
public final class DaemonLocation
{
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory of the daemon (default: the one its config names).")
    Path runDir;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file the daemon was started with (default: the embedded default).")
    Path configFile;

    private VplaneConfig config;

    public VplaneConfig config()
    {
        if (null == config)
        {
            config = null == configFile ? DeviceKinds.load().loadDefault() : DeviceKinds.load().load(configFile);
        }
        return config;
    }

    public RunDirectory runDirectory()
    {
        return new RunDirectory(null != runDir ? runDir : Path.of(config().daemon().runDir()));
    }

    public Path countersFile()
    {
        return runDirectory().countersFile(config().counters().fileName());
    }

    /** The management API's base URL that the daemon wrote into its run directory. */
    public String managementUrl()
    {
        final Path file = runDirectory().managementUrlFile();
        try
        {
            return Files.readString(file).trim();
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalStateException("no running vplane daemon found: " + file + " does not exist " +
                "(is the daemon running, with this run directory, and its management API enabled?)");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }
}
