package io.vplane.blockstore.interop;

import io.vplane.blockstore.management.DaemonFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * qcow2 images made by qemu-img (v2 compat=0.10 over a raw backing file; v3 with compressed
 * clusters; v3 with zero clusters over a compressed qcow2 backing file) served read-only and
 * converted online to raw while fio writes with crc32c verification; checked with qemu-img compare,
 * nbdcopy and a fio verify-only pass after the switch.
 */
@Timeout(150)
class Qcow2ConvertIT
{
    private static final long SIZE = 48L << 20;
    private static final long MIB = 1L << 20;
    /**
     * fio writes here: near the end, so its writes reach each chunk before the copier (8 MiB/s from
     * the start) does and must fill the chunk from the source; not on chunk boundaries, so the first
     * and last chunks it touches keep source data ([40M, 40.5M) and [46.5M, 47M) hold the backing
     * file's random bytes), which the comparison checks.
     */
    private static final long FIO_OFFSET = 41472L << 10;
    private static final long FIO_BYTES = 6L << 20;

    @TempDir
    Path dir;
    private DaemonFixture daemon;
    private Path images;
    private final List<Process> peers = new ArrayList<>();

    @BeforeEach
    void makeImages() throws IOException
    {
        daemon = new DaemonFixture(dir, disks());
        images = daemon.runDir;
        final byte[] block = new byte[(int)MIB];
        final Random random = new Random(18);
        try (RandomAccessFile base = new RandomAccessFile(images.resolve("base.raw").toFile(), "rw"))
        {
            base.setLength(SIZE);
            for (long i = 0; i < SIZE / MIB; i++)
            {
                if (i % 3 != 2) // every third MiB stays a hole
                {
                    random.nextBytes(block);
                    base.seek(i * MIB);
                    base.write(block);
                }
            }
        }
        qemu("qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10", "-b", "base.raw", "-F", "raw", image("top-v2.qcow2"));
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0xa1 1M 3M", "-c", "write -P 0xa2 20M 512k", image("top-v2.qcow2"));
        qemu("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "compat=1.1", image("base.raw"), image("comp.qcow2"));
        qemu("qemu-img", "create", "-q", "-f", "qcow2", "-b", "comp.qcow2", "-F", "qcow2", image("top-v3.qcow2"));
        qemu("qemu-io", "-f", "qcow2", "-c", "write -z 8M 2M", "-c", "write -P 0xb3 30M 1M", "-c", "write -P 0xb4 47M 1M",
            image("top-v3.qcow2"));
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final Process peer : peers)
        {
            peer.destroyForcibly();
            peer.waitFor(10, TimeUnit.SECONDS);
        }
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldServeQcow2ImagesMadeByQemuImgAsTheyAre() throws IOException
    {
        for (final String name : List.of("top-v2.qcow2", "comp.qcow2", "top-v3.qcow2"))
        {
            final String disk = name.replace(".qcow2", "");
            daemon.post("/disk/create", "{\"name\":\"" + disk + "\",\"size\":\"" + SIZE + "\",\"image\":\"qcow2:" + name +
                "\",\"readOnly\":true}");
            // qemu-img compare exits 0 only when the guest-visible contents are identical (1: they differ).
            Peer.run(60, "qemu-img", "compare", "-f", "qcow2", "-F", "raw", image(name), daemon.uri(disk));
            final Path copy = dir.resolve(disk + ".copy");
            Peer.run(60, "nbdcopy", daemon.uri(disk), copy.toString());
            Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "qcow2", copy.toString(), image(name));
        }
        // The comparison can fail: the v3 image differs from its backing where zero clusters and writes lie.
        assertThat(Peer.runAllowingFailure(60, "qemu-img", "compare", "-f", "qcow2", "-F", "raw", image("top-v3.qcow2"),
            daemon.uri("comp")).exitCode()).isEqualTo(1);
    }

    @Test
    void shouldConvertOnlineUnderVerifiedWritesToTheSourcePlusTheWrites() throws Exception
    {
        daemon.post("/disk/convert", "{\"name\":\"vm\",\"from\":\"qcow2:top-v3.qcow2\",\"rateBytesPerSec\":\"8M\"}");
        final Path fioLog = dir.resolve("fio.log");
        final Process fio = start(fioLog, fioJob(false));
        assertThat(fio.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final String written = Files.readString(fioLog, StandardCharsets.UTF_8);
        assertThat(written).as(written).contains("err= 0").doesNotContain("verify: bad");
        assertThat(state(status("vm"))).as("fio must have run while the disk was converting").isEqualTo("copying");
        awaitDone("vm");
        assertThat(Files.exists(images.resolve("vm.raw.convert-map"))).isFalse();
        assertThat(daemon.api.get("/disk/show?name=vm")).doesNotContain("conversion");

        // Every block fio wrote during the conversion reads back as written, now from the target alone.
        final Path verifyLog = dir.resolve("fio-verify.log");
        final Process verify = start(verifyLog, fioJob(true));
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final String verified = Files.readString(verifyLog, StandardCharsets.UTF_8);
        assertThat(verified).as(verified).contains("err= 0").doesNotContain("verify: bad");
        assertThat(verify.exitValue()).as(verified).isZero();

        // Everything else is the source's: the expected image is the source with fio's range taken from the target.
        final Path expected = dir.resolve("expected.raw");
        Peer.run(60, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", image("top-v3.qcow2"), expected.toString());
        ConversionChecks.overlay(images.resolve("vm.raw"), expected, FIO_OFFSET, FIO_BYTES);
        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), image("vm.raw"));
        assertThat(ConversionChecks.number(daemon.api.get("/metrics"), "vplane_nbd_request_errors_total\\{disk=\"vm\"")).isZero();
    }

    @Test
    void shouldResumeAfterARestartFromTheMapBesideTheTarget() throws Exception
    {
        daemon.post("/disk/convert", "{\"name\":\"vm\",\"from\":\"qcow2:top-v2.qcow2\",\"rateBytesPerSec\":\"8M\"}");
        // qemu-io flushes before it exits: the write and the mark of its chunk are durable.
        Peer.run(60, "qemu-io", "-f", "raw", "-c", "write -P 0xcc 5M 64k", daemon.uri("vm"));
        TimeUnit.MILLISECONDS.sleep(700);
        assertThat(state(status("vm"))).isEqualTo("copying");
        daemon.close();
        daemon = null;
        assertThat(Files.exists(images.resolve("vm.raw.convert-map"))).isTrue();
        daemon = new DaemonFixture(dir, disks());
        awaitDone("vm");
        final Path expected = dir.resolve("expected.raw");
        Peer.run(60, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", image("top-v2.qcow2"), expected.toString());
        Peer.run(60, "qemu-io", "-f", "raw", "-c", "write -P 0xcc 5M 64k", expected.toString());
        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), image("vm.raw"));
    }

    private static String disks()
    {
        return """
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: vm, image: vm.raw, sizeBytes: %d, tenant: local, queues: 2}
            """.formatted(SIZE);
    }

    private String[] fioJob(final boolean verifyOnly)
    {
        return ConversionChecks.fioJob(daemon.uri("vm"), FIO_OFFSET, FIO_BYTES, verifyOnly);
    }

    private Process start(final Path log, final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        peers.add(process);
        return process;
    }

    private String status(final String disk)
    {
        return ConversionChecks.status(daemon, disk);
    }

    private void awaitDone(final String disk) throws InterruptedException
    {
        ConversionChecks.awaitDone(daemon, disk, 60);
    }

    private static String state(final String progress)
    {
        return ConversionChecks.state(progress);
    }

    private String image(final String name)
    {
        return images.resolve(name).toString();
    }

    private static void qemu(final String... command)
    {
        Peer.run(60, command);
    }
}
