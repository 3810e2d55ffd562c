package io.vplane.vsock.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ControlChannelTest
{
    private static final byte[] SECRET = "vm0-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (final AutoCloseable closeable : closeables.reversed())
        {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T closing(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private ContainerAgent agent(final ServerSocketChannel server, final InMemoryRuntime runtime, final String journal)
        throws IOException
    {
        return closing(new ContainerAgent(server, SECRET, runtime, closing(new AppliedJournal(dir.resolve(journal))), 4).start());
    }

    private ServerSocketChannel unixServer(final String name) throws IOException
    {
        return ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(dir.resolve(name)));
    }

    private ControlService service(final ControlTransport transport) throws IOException
    {
        return closing(new ControlService(dir.resolve("commands.journal"), Map.of("vm0", new ControlService.Vm(transport, SECRET))));
    }

    private static void await(final BooleanSupplier done, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("waiting until " + what).isNegative();
            Thread.sleep(10);
        }
    }

    private static boolean allFinished(final ControlService service)
    {
        return service.commands().stream().allMatch(c -> c.state().finished());
    }

    @Test
    void shouldApplyEachCommandOnceInOrderOverTcp() throws Exception
    {
        final ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final InMemoryRuntime runtime = new InMemoryRuntime();
        agent(server, runtime, "agent.journal");
        final ControlService service = service(ControlTransport.tcp("127.0.0.1", ((InetSocketAddress)server.getLocalAddress()).getPort()));

        service.submit("vm0", ControlFrame.OP_SCALE, "web", 3);
        service.submit("vm0", ControlFrame.OP_MEMORY, "web", 512L << 20);
        service.submit("vm0", ControlFrame.OP_STORAGE, "web", 10L << 30);
        service.submit("vm0", ControlFrame.OP_SCALE, "web", -1);
        await(() -> allFinished(service), "every command has a result");

        assertThat(runtime.applied()).containsExactly("scale web 3", "memory web 536870912", "storage web 10737418240");
        assertThat(service.commands()).extracting(CommandJournal.Entry::state).containsExactly(
            CommandJournal.State.APPLIED, CommandJournal.State.APPLIED, CommandJournal.State.APPLIED, CommandJournal.State.FAILED);
        assertThat(service.commands().getLast().reason()).contains("count -1");
    }

    @Test
    void shouldApplyEveryCommandOnceWhenTheAgentIsKilledAndRestarted() throws Exception
    {
        final InMemoryRuntime runtime = new InMemoryRuntime();
        final AppliedJournal firstJournal = new AppliedJournal(dir.resolve("agent.journal"));
        final ContainerAgent first = new ContainerAgent(unixServer("agent.sock"), SECRET, runtime, firstJournal, 4).start();
        final ControlService service = service(ControlTransport.unix(dir.resolve("agent.sock")));
        for (int i = 1; i <= 20; i++)
        {
            service.submit("vm0", ControlFrame.OP_SCALE, "svc" + i, i);
        }
        await(() -> runtime.applied().size() >= 5, "some commands applied");
        // killed mid-stream: its connection drops wherever the exchange was
        first.close();
        firstJournal.close();
        for (int i = 21; i <= 30; i++)
        {
            service.submit("vm0", ControlFrame.OP_SCALE, "svc" + i, i);
        }
        java.nio.file.Files.deleteIfExists(dir.resolve("agent.sock"));
        agent(unixServer("agent.sock"), runtime, "agent.journal");
        await(() -> allFinished(service), "every command has a result");

        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++)
        {
            expected.add("scale svc" + i + " " + i);
        }
        assertThat(runtime.applied()).as("each command once, in order").containsExactlyElementsOf(expected);
        assertThat(service.links().get("vm0").connects.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldSayWhyACommandWaitsWhenTheAgentNeverAnswersAndSendItAgainOnANewConnection() throws Exception
    {
        final ServerSocketChannel server = closing(unixServer("agent.sock"));
        final String[] seenOnReconnect = new String[2];
        final Thread hungThenWell = Thread.ofPlatform().daemon().start(() ->
        {
            try (SocketChannel hung = server.accept(); FrameChannel frames = new FrameChannel(hung))
            {
                authenticate(frames);
                assertThat(frames.read().type()).isEqualTo(ControlFrame.COMMAND);
                // a hung guest: the command is read and never answered; the host must give up on this connection
                try (SocketChannel again = server.accept(); FrameChannel second = new FrameChannel(again))
                {
                    final ControlService service = (ControlService)closeables.getLast();
                    seenOnReconnect[0] = service.links().get("vm0").lastError();
                    seenOnReconnect[1] = service.command(1).reason();
                    authenticate(second);
                    final ControlFrame command = second.read();
                    second.write(ControlFrame.result(command.id(), ControlFrame.STATUS_APPLIED, ""));
                    Thread.sleep(60_000);
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // the test is over
            }
        });
        final ControlService service = closing(new ControlService(dir.resolve("commands.journal"),
            Map.of("vm0", new ControlService.Vm(ControlTransport.unix(dir.resolve("agent.sock")), SECRET)), java.time.Duration.ofMillis(300)));
        service.submit("vm0", ControlFrame.OP_SCALE, "web", 2);
        await(() -> allFinished(service), "the command has a result");

        assertThat(seenOnReconnect[0]).contains("no result from the agent within 300 ms");
        assertThat(seenOnReconnect[1]).contains("link failed while waiting for the result").contains("sent again");
        assertThat(service.command(1).state()).isEqualTo(CommandJournal.State.APPLIED);
        assertThat(service.command(1).reason()).isEmpty();
        assertThat(service.links().get("vm0").lastError()).as("cleared by the next result").isEmpty();
        hungThenWell.interrupt();
    }

    /** The agent's side of the handshake, for a test agent that answers frame by frame. */
    private static void authenticate(final FrameChannel frames) throws IOException
    {
        final byte[] nonce = new byte[ControlFrame.NONCE];
        frames.write(ControlFrame.challenge(nonce));
        assertThat(frames.read().bytes()).isEqualTo(ContainerAgent.mac(SECRET, nonce));
        frames.write(ControlFrame.ack(0));
    }

    @Test
    void shouldResendUnfinishedCommandsAfterTheHostRestartsAndTheAgentAppliesThemOnce() throws Exception
    {
        final InMemoryRuntime runtime = new InMemoryRuntime();
        final ServerSocketChannel server = unixServer("agent.sock");
        final ControlService first = new ControlService(dir.resolve("commands.journal"),
            Map.of("vm0", new ControlService.Vm(ControlTransport.unix(dir.resolve("agent.sock")), SECRET)));
        for (int i = 1; i <= 10; i++)
        {
            first.submit("vm0", ControlFrame.OP_SCALE, "web", i);
        }
        first.close();
        assertThat(runtime.applied()).as("no agent yet").isEmpty();

        agent(server, runtime, "agent.journal");
        final ControlService second = service(ControlTransport.unix(dir.resolve("agent.sock")));
        assertThat(second.commands()).hasSize(10);
        await(() -> allFinished(second), "every command has a result");
        assertThat(runtime.applied()).hasSize(10);
        assertThat(runtime.count("web")).isEqualTo(10);
        final CommandJournal.Entry next = second.submit("vm0", ControlFrame.OP_SCALE, "web", 2);
        assertThat(next.id()).as("ids continue after the journal's").isEqualTo(11);
    }

    @Test
    void shouldRefuseAHostThatDoesNotKnowTheSecret() throws Exception
    {
        final InMemoryRuntime runtime = new InMemoryRuntime();
        final ContainerAgent agent = agent(unixServer("agent.sock"), runtime, "agent.journal");
        final ControlService service = closing(new ControlService(dir.resolve("commands.journal"),
            Map.of("vm0", new ControlService.Vm(ControlTransport.unix(dir.resolve("agent.sock")),
                "another-secret-0123456".getBytes(StandardCharsets.UTF_8)))));
        service.submit("vm0", ControlFrame.OP_SCALE, "web", 1);
        await(() -> agent.authFailures.get() >= 1, "the agent refused the host");
        Thread.sleep(200);
        assertThat(runtime.applied()).isEmpty();
        assertThat(service.commands().getFirst().state()).isEqualTo(CommandJournal.State.QUEUED);
    }

    @Test
    void shouldAnswerGarbageWithAnErrorFrameAndKeepServing() throws Exception
    {
        final InMemoryRuntime runtime = new InMemoryRuntime();
        final ContainerAgent agent = agent(unixServer("agent.sock"), runtime, "agent.journal");
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
             FrameChannel frames = new FrameChannel(raw))
        {
            final ControlFrame challenge = frames.read();
            frames.write(ControlFrame.auth(ContainerAgent.mac(SECRET, challenge.bytes())));
            assertThat(frames.read()).extracting(ControlFrame::type, ControlFrame::id).containsExactly(ControlFrame.ACK, 0L);
            // version 9, then an unknown type, then a truncated command body
            raw.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 12, 0, 9, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7}));
            assertThat(frames.read()).extracting(ControlFrame::type, ControlFrame::status, ControlFrame::id)
                .containsExactly(ControlFrame.ERROR, ControlFrame.ERROR_VERSION, 7L);
            raw.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 12, 0, 1, 0, 42, 0, 0, 0, 0, 0, 0, 0, 8}));
            assertThat(frames.read().status()).isEqualTo(ControlFrame.ERROR_TYPE);
            raw.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 14, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1}));
            assertThat(frames.read().status()).isEqualTo(ControlFrame.ERROR_MALFORMED);
            frames.write(ControlFrame.command(10, ControlFrame.OP_SCALE, 2, "vm0", "web"));
            assertThat(frames.read().type()).isEqualTo(ControlFrame.ACK);
            assertThat(frames.read()).extracting(ControlFrame::type, ControlFrame::status).containsExactly(
                ControlFrame.RESULT, ControlFrame.STATUS_APPLIED);
            raw.write(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0}));
            assertThat(frames.read().status()).isEqualTo(ControlFrame.ERROR_TOO_LONG);
            assertThat(raw.read(ByteBuffer.allocate(1))).as("closed after an oversized frame").isEqualTo(-1);
        }
        assertThat(agent.badFrames.get()).isEqualTo(4);
        assertThat(runtime.applied()).containsExactly("scale web 2");
    }

    @Test
    void shouldAnswerARepeatedCommandFromItsJournal() throws Exception
    {
        final InMemoryRuntime runtime = new InMemoryRuntime();
        final ContainerAgent agent = agent(unixServer("agent.sock"), runtime, "agent.journal");
        for (int connection = 0; connection < 2; connection++)
        {
            try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
                 FrameChannel frames = new FrameChannel(raw))
            {
                frames.write(ControlFrame.auth(ContainerAgent.mac(SECRET, frames.read().bytes())));
                assertThat(frames.read().type()).isEqualTo(ControlFrame.ACK);
                frames.write(ControlFrame.command(5, ControlFrame.OP_SCALE, 4, "vm0", "db"));
                ControlFrame answer = frames.read();
                if (answer.type() == ControlFrame.ACK)
                {
                    answer = frames.read();
                }
                assertThat(answer.type()).isEqualTo(ControlFrame.RESULT);
            }
        }
        assertThat(runtime.applied()).containsExactly("scale db 4");
        assertThat(agent.duplicates.get()).isEqualTo(1);
    }

    @Test
    void shouldBackOffAndLogOnceWhenTheJournalCannotRecordWhatTheLinkDoes() throws Exception
    {
        final ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        agent(server, new InMemoryRuntime(), "agent.journal");
        final CommandJournal journal = closing(new CommandJournal(dir.resolve("commands.journal"),
            (path, replay) -> new StatesRefused(RecordFile.open(path, replay))));
        journal.add("vm0", "web", ControlFrame.OP_SCALE, 2);
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Logger log = Logger.getLogger(AgentLink.class.getName());
        final Handler handler = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                lines.add(record.getMessage());
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        log.addHandler(handler);
        try
        {
            final AgentLink link = closing(new AgentLink("vm0", ControlTransport.tcp("127.0.0.1",
                ((InetSocketAddress)server.getLocalAddress()).getPort()), SECRET, journal, Duration.ofSeconds(5)).start());
            await(() -> link.connects.get() >= 3, "three attempts");
            Thread.sleep(1_600);

            // connects at about 0, 0.1, 0.3, 0.7 and 1.5 s when the backoff doubles; every 100 ms if each connect reset it
            assertThat(link.connects.get()).as("attempts while the journal refuses every state").isLessThanOrEqualTo(6);
            assertThat(link.lastError()).contains("state records refused");
            assertThat(lines).as("one line for the one fault").hasSize(1);
        }
        finally
        {
            log.removeHandler(handler);
        }
    }

    /** A journal file that takes commands but refuses every state record (a disk gone read-only under it). */
    private record StatesRefused(RecordLog log) implements RecordLog
    {
        @Override
        public void append(final ByteBuffer payload, final boolean durable) throws IOException
        {
            if (!durable)
            {
                throw new IOException("state records refused");
            }
            log.append(payload, true);
        }

        @Override
        public void close() throws IOException
        {
            log.close();
        }
    }
}
