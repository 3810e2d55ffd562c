package io.vplane.engine.cli;

import io.vplane.config.ManagementConfig;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.DefaultDirectories;
import io.vplane.engine.daemon.RunDirectory;
import io.vplane.engine.management.BearerToken;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.TrustedCertificate;
import io.vplane.engine.device.DeviceKinds;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How a command that talks to a running daemon finds it: an explicit run directory, or the one
 * named by a config file, or the one of the embedded default config. It calls the daemon over the
 * management socket in that directory, or over TCP with the token when only TCP is there.
 */
public final class DaemonLocation
{
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory of the daemon (default: the one its config names).")
    Path runDir;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file the daemon was started with (default: the embedded default).")
    Path configFile;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Bearer token for a TCP management API (default: management.tokenFile of the config).")
    Path tokenFile;

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
        // The default is only worked out when needed: it may not exist for this user (no XDG_RUNTIME_DIR).
        return new RunDirectory(null != runDir ? runDir : Path.of(DefaultDirectories.conclude(config().daemon()).runDir()));
    }

    public Path countersFile()
    {
        return runDirectory().countersFile(config().counters().fileName());
    }

    /**
     * A client of the daemon's management API.
     *
     * @param url an explicit {@code unix:PATH} or {@code http(s)://HOST:PORT}, or null to find it in the run directory
     */
    public ManagementClient managementClient(final String url)
    {
        // an explicit URL needs no config: the run directory is looked up only to find the daemon
        if (null == url && Files.exists(runDirectory().managementSocket(), LinkOption.NOFOLLOW_LINKS))
        {
            return new ManagementClient("unix:" + runDirectory().managementSocket());
        }
        final String target = null != url ? url : managementUrl();
        if (target.startsWith("unix:"))
        {
            return new ManagementClient(target);
        }
        final ManagementConfig management = config().management();
        final Path token = null != tokenFile ? tokenFile : management.tokenFile().isEmpty() ? null : Path.of(management.tokenFile());
        return new ManagementClient(target, null == token ? null : BearerToken.readFrom(token),
            target.startsWith("https:") && management.tls() ? TrustedCertificate.sslContext(Path.of(management.tlsCertFile())) : null);
    }

    /** The TCP listener's base URL that the daemon wrote into its run directory. */
    public String managementUrl()
    {
        final Path file = runDirectory().managementUrlFile();
        try
        {
            return Files.readString(file).trim();
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalStateException("no running vplane daemon found: neither " + runDirectory().managementSocket() +
                " nor " + file + " exists (is the daemon running, with this run directory, and its management API enabled?)");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }
}
