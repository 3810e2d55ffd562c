package io.vplane.vsock.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/vplane-agent}: the guest agent as a program. Uses the JDK only.
 * <pre>
 *   vplane-agent --listen vsock:[CID:]PORT | tcp:HOST:PORT | unix:PATH  --secret-file FILE  --journal FILE  [--max-connections N]
 *                [--runtime memory | oci --rootfs DIR [--oci-binary runc] | process [--cgroup NAME]
 *                 | cli --image IMAGE [--cli-binary docker|podman]]
 *                [--state DIR] [--command "ARGS..."]
 * </pre>
 * {@code memory} (the default) only records what it applies; {@code oci} runs containers with
 * runc or crun ({@link OciRuntime}), {@code process} as process trees in cgroups
 * ({@link ProcessRuntime}), both as root; {@code cli} runs an image with docker or podman
 * ({@link CliRuntime}); {@code --command} is then the command in the image (default: the image's). In a VM whose vsock is served by vplane, relay the vsock port to it, e.g.
 * {@code socat VSOCK-LISTEN:7000,fork TCP:127.0.0.1:7000}.
 */
public final class AgentMain
{
    private AgentMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        String listen = null;
        Path secretFile = null;
        Path journalFile = null;
        int maxConnections = 16;
        String runtimeKind = "memory";
        String ociBinary = "runc";
        Path rootfs = null;
        Path state = null;
        String command = "/bin/sleep 2147483647";
        String cgroup = "vplane-agent";
        boolean commandGiven = false;
        String image = null;
        String cliBinary = "docker";
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--listen" -> listen = args[i + 1];
                case "--secret-file" -> secretFile = Path.of(args[i + 1]);
                case "--journal" -> journalFile = Path.of(args[i + 1]);
                case "--max-connections" -> maxConnections = Integer.parseInt(args[i + 1]);
                case "--runtime" -> runtimeKind = args[i + 1];
                case "--oci-binary" -> ociBinary = args[i + 1];
                case "--rootfs" -> rootfs = Path.of(args[i + 1]);
                case "--state" -> state = Path.of(args[i + 1]);
                case "--command" ->
                {
                    command = args[i + 1];
                    commandGiven = true;
                }
                case "--cgroup" -> cgroup = args[i + 1];
                case "--image" -> image = args[i + 1];
                case "--cli-binary" -> cliBinary = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (null == listen || null == secretFile || null == journalFile)
        {
            usage("--listen, --secret-file and --journal are required");
        }
        final Path stateDir = null == state ? journalFile.toAbsolutePath().resolveSibling("containers") : state;
        final ContainerRuntime runtime = switch (runtimeKind)
        {
            case "memory" -> new InMemoryRuntime();
            case "oci" ->
            {
                if (null == rootfs)
                {
                    usage("--runtime oci needs --rootfs DIR");
                }
                yield new OciRuntime(ociBinary, stateDir, rootfs,
                    List.of(command.strip().split("\\s+")));
            }
            case "process" -> new ProcessRuntime(stateDir, cgroup,
                List.of(command.strip().split("\\s+")));
            case "cli" ->
            {
                if (null == image)
                {
                    usage("--runtime cli needs --image IMAGE");
                }
                yield new CliRuntime(cliBinary, stateDir, image,
                    commandGiven ? List.of(command.strip().split("\\s+")) : List.of());
            }
            default -> throw usage("--runtime takes memory, oci, process or cli, not " + runtimeKind);
        };
        final byte[] secret = readSecret(secretFile);
        final AgentListener server = bind(listen);
        final ContainerAgent agent = new ContainerAgent(server, secret, runtime, new AppliedJournal(journalFile),
            maxConnections).start();
        System.out.println("vplane-agent listening on " + listen + ", runtime " + runtimeKind);
        final CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                agent.close();
            }
            catch (final IOException ignore)
            {
                // exiting
            }
            stop.countDown();
        }));
        stop.await();
    }

    /** The secret file must be the owner's alone, and hold at least 16 bytes. */
    public static byte[] readSecret(final Path file) throws IOException
    {
        final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")))
        {
            throw new IOException("secret file " + file + " may be read by others (" + mode + "); chmod 600 it");
        }
        final byte[] secret = Files.readString(file).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (secret.length < 16)
        {
            throw new IOException("secret file " + file + " holds " + secret.length + " bytes; at least 16 needed");
        }
        return secret;
    }

    static AgentListener bind(final String listen) throws IOException
    {
        if (listen.startsWith("vsock:"))
        {
            // vsock:PORT (any CID of this VM) or vsock:CID:PORT
            final String[] parts = listen.substring(6).split(":");
            final long port = Long.parseLong(parts[parts.length - 1]);
            final long cid = parts.length > 1 ? Long.parseLong(parts[0]) : VsockSocket.CID_ANY;
            return AgentListener.of(VsockSocket.listen(cid, port, 16));
        }
        if (listen.startsWith("unix:"))
        {
            final Path path = Path.of(listen.substring(5));
            Files.deleteIfExists(path);
            return AgentListener.of(ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path)));
        }
        if (listen.startsWith("tcp:"))
        {
            final String hostPort = listen.substring(4);
            final int colon = hostPort.lastIndexOf(':');
            return AgentListener.of(ServerSocketChannel.open().bind(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)))));
        }
        throw usage("--listen takes vsock:[CID:]PORT, tcp:HOST:PORT or unix:PATH, not " + listen);
    }

    private static IllegalStateException usage(final String problem)
    {
        System.err.println("vplane-agent: " + problem);
        System.err.println("usage: vplane-agent --listen vsock:[CID:]PORT|tcp:HOST:PORT|unix:PATH --secret-file FILE --journal FILE [--max-connections N]");
        System.err.println("         [--runtime memory | oci --rootfs DIR [--oci-binary runc|crun|PATH] | process [--cgroup NAME]");
        System.err.println("                    | cli --image IMAGE [--cli-binary docker|podman|PATH]]");
        System.err.println("         [--state DIR] [--command \"ARGS\"]");
        System.exit(2);
        return new IllegalStateException(problem);
    }
}
