package io.vplane.engine.cli;

import io.vplane.engine.daemon.Daemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vplane run}: the daemon, in the foreground, until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the daemon in the foreground. SIGHUP reloads the config; SIGTERM drains and exits 0.")
public final class RunCommand implements Callable<Integer>
{
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default: the embedded default config).")
    Path configFile;

    @Override
    public Integer call() throws Exception
    {
        final Daemon daemon = Daemon.start(configFile);
        daemon.installSignalHandlers();
        daemon.awaitStopRequest();
        daemon.close();
        return 0;
    }
}
