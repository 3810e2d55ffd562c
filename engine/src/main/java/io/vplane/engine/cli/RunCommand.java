package io.vplane.engine.cli;

import io.vplane.engine.daemon.CollectorWarmup;
import io.vplane.engine.daemon.Daemon;
import io.vplane.engine.daemon.Housekeeping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

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
        // A SIGTERM that comes while the daemon starts (it is visible once its run directory is) drains it once started.
        final CountDownLatch early = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> early.countDown());
        Signal.handle(new Signal("INT"), signal -> early.countDown());
        final Daemon daemon = Daemon.start(configFile, Housekeeping::apply);
        daemon.installSignalHandlers();
        CollectorWarmup.handOverHeapWhenWarm();
        if (0 == early.getCount())
        {
            daemon.requestStop();
        }
        daemon.awaitStopRequest();
        daemon.close();
        return 0;
    }
}
