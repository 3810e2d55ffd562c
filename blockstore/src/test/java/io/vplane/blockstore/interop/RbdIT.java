package io.vplane.blockstore.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.management.DaemonFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Disks kept in Ceph RBD, served by vplane's NBD server through librbd, against real clients: a
 * one-node cluster (brought up once for the class), nbdcopy and qemu-img through vplane, the same
 * bytes read straight from Ceph with {@code rbd export}, fio's crc32c verification, block status
 * from the object map, a blocklisted client that reconnects, requests a paused cluster does not
 * answer failing within the disk's timeout, and a resize seen by {@code rbd info}.
 */
@Timeout(300)
class RbdIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger IMAGES = new AtomicInteger();

    @TempDir
    static Path dir;
    static CephCluster cluster;
    static DaemonFixture daemon;

    @BeforeAll
    static void startClusterAndDaemon()
    {
        cluster = CephCluster.start(dir);
        daemon = new DaemonFixture(dir, """
              tenants:
                - {name: local, allow: [127.0.0.0/8, "::1/128"]}
              disks:
                - {name: ceph0, image: "%s", sizeBytes: 67108864, tenant: local}
            """.formatted(cluster.uri("img", "timeoutMs=10000")));
    }

    @AfterAll
    static void stop()
    {
        try
        {
            if (null != daemon)
            {
                daemon.close();
            }
        }
        finally
        {
            if (null != cluster)
            {
                cluster.close();
            }
        }
    }

    /** A fresh image of {@code size} and a disk serving it. @return the disk's name */
    private static String newDisk(final String size, final String options)
    {
        final String name = "t" + IMAGES.incrementAndGet();
        cluster.cli(30, "rbd", "create", "--size", size, "rbd/" + name);
        daemon.post("/disk/create", "{\"name\":\"" + name + "\",\"size\":\"" + size + "\",\"image\":\"" +
            cluster.uri(name, options) + "\"}");
        return name;
    }

    @Test
    void shouldKeepWhatNbdcopyWritesInCephWhereRbdExportReadsIt() throws Exception
    {
        final String disk = newDisk("16M", "");
        final byte[] data = new byte[16 << 20];
        new Random(18).nextBytes(data);
        Arrays.fill(data, 4 << 20, 8 << 20, (byte)0);
        final Path in = dir.resolve(disk + "-in.raw");
        Files.write(in, data);

        Peer.run(60, "nbdcopy", in.toString(), daemon.uri(disk));
        final Path exported = dir.resolve(disk + "-export.raw");
        cluster.cli(60, "rbd", "export", "rbd/" + disk, exported.toString());
        final Path back = dir.resolve(disk + "-back.raw");
        Peer.run(60, "nbdcopy", daemon.uri(disk), back.toString());

        assertThat(sha256(Files.readAllBytes(exported))).as("rbd export of what nbdcopy wrote").isEqualTo(sha256(data));
        assertThat(sha256(Files.readAllBytes(back))).as("nbdcopy read back").isEqualTo(sha256(data));
        assertThat(Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", in.toString(), daemon.uri(disk)))
            .contains("Images are identical");
        assertThat(Peer.run(30, "qemu-img", "info", "-f", "raw", daemon.uri(disk))).contains("virtual size: 16 MiB");
    }

    @Test
    void shouldPassFioCrc32cVerificationOnAnRbdDisk()
    {
        final String disk = newDisk("32M", "");
        final String small = Peer.run(120, "fio", "--name=rbd-verify", "--ioengine=nbd", "--uri=" + daemon.uri(disk),
            "--rw=randwrite", "--bs=4k", "--iodepth=16", "--size=8m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
            "--verify_state_save=0", "--randrepeat=1", "--output-format=normal");
        final String large = Peer.run(120, "fio", "--name=rbd-verify-large", "--ioengine=nbd", "--uri=" + daemon.uri(disk),
            "--rw=randwrite", "--bs=1m", "--iodepth=8", "--size=32m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
            "--verify_state_save=0", "--randrepeat=1", "--output-format=normal");

        assertThat(small).doesNotContain("verify: bad").contains("issued rwts: total=2048,2048,");
        assertThat(large).doesNotContain("verify: bad").contains("issued rwts: total=32,32,");
    }

    @Test
    void shouldReportHolesFromTheObjectMap() throws Exception
    {
        final String disk = newDisk("32M", "");
        final Path in = dir.resolve(disk + "-a.raw");
        final byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        Files.write(in, block);
        // Objects are 4 MiB: data at 0-4M and 12-16M, holes around them.
        Peer.run(30, "qemu-io", "-f", "raw", "-c", "write -P 0x11 0 1M", "-c", "write -P 0x22 13M 1M", daemon.uri(disk));

        final String map = Peer.run(30, "nbdinfo", "--map", daemon.uri(disk));

        assertThat(map).containsPattern("\\s+0\\s+4194304\\s+0\\s+data")
            .containsPattern("\\s+4194304\\s+8388608\\s+3\\s+hole,zero")
            .containsPattern("\\s+12582912\\s+4194304\\s+0\\s+data")
            .containsPattern("\\s+16777216\\s+16777216\\s+3\\s+hole,zero");
        final JsonNode shown = JSON.readTree(daemon.api.get("/disk/show?name=" + disk));
        assertThat(shown.path("backend").path("blockStatus").asText()).isEqualTo("object-map");
        assertThat(shown.path("backend").path("features").toString()).contains("object-map", "fast-diff", "exclusive-lock");
        assertThat(shown.path("backend").path("state").asText()).isEqualTo("connected");
    }

    @Test
    void shouldFailRequestsOfABlocklistedClientWithEioThenReconnect() throws Exception
    {
        final String disk = newDisk("8M", "timeoutMs=5000");
        final String address = JSON.readTree(daemon.api.get("/disk/show?name=" + disk)).path("backend").path("clientAddress").asText();
        assertThat(address).isNotBlank();
        Peer.run(30, "qemu-io", "-f", "raw", "-c", "write -P 0x33 0 64k", daemon.uri(disk));

        cluster.cli(30, "ceph", "osd", "blocklist", "add", address);
        final Peer.Result refused = Peer.runAllowingFailure(60, "qemu-io", "-f", "raw", "-c", "write -P 0x44 64k 64k",
            "-c", "flush", daemon.uri(disk));

        assertThat(refused.output()).as("a blocklisted client's write fails").containsPattern("(?i)write failed|error");
        JsonNode backend = JSON.readTree(daemon.api.get("/disk/show?name=" + disk)).path("backend");
        assertThat(backend.path("errors").path("ESHUTDOWN").asLong()).as(backend.toString()).isPositive();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"connected".equals(backend.path("state").asText()) || backend.path("reconnects").asLong() < 1)
        {
            assertThat(System.nanoTime() - deadline).as("reconnected within 60 s: %s", backend).isNegative();
            TimeUnit.MILLISECONDS.sleep(200);
            backend = JSON.readTree(daemon.api.get("/disk/show?name=" + disk)).path("backend");
        }
        assertThat(backend.path("clientAddress").asText()).isNotEqualTo(address);
        Peer.run(30, "qemu-io", "-f", "raw", "-c", "write -P 0x55 64k 64k", "-c", "read -P 0x33 0 64k", "-c", "read -P 0x55 64k 64k",
            daemon.uri(disk));
        assertThat(counter("vplane_errors_total{component=\"rbd\",error=\"ESHUTDOWN\"}")).isPositive();
    }

    @Test
    void shouldFailRequestsTheClusterDoesNotAnswerInTimeWithEioAndServeAgainAfter() throws Exception
    {
        final String disk = newDisk("8M", "timeoutMs=2000");
        Peer.run(30, "qemu-io", "-f", "raw", "-c", "write -P 0x66 0 64k", "-c", "flush", daemon.uri(disk));

        cluster.cli(30, "ceph", "osd", "pause");
        Peer.Result stalled = null;
        try
        {
            // The client learns of the pause with its next OSD map: until then a write and flush may still land.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            do
            {
                stalled = Peer.runAllowingFailure(60, "qemu-io", "-f", "raw", "-c", "write -P 0x77 64k 64k", "-c", "flush",
                    daemon.uri(disk));
            }
            while (!stalled.output().contains("failed") && System.nanoTime() - deadline < 0);
        }
        finally
        {
            cluster.cli(30, "ceph", "osd", "unpause");
        }

        assertThat(stalled.output()).as("a request the OSD does not answer fails within the timeout, not hangs").contains("failed");
        final JsonNode backend = JSON.readTree(daemon.api.get("/disk/show?name=" + disk)).path("backend");
        assertThat(backend.path("errors").path("ETIMEDOUT").asLong()).as(backend.toString()).isPositive();
        assertThat(backend.path("state").asText()).isEqualTo("connected");
        Peer.run(30, "qemu-io", "-f", "raw", "-c", "write -P 0x77 64k 64k", "-c", "flush", "-c", "read -P 0x66 0 64k",
            "-c", "read -P 0x77 64k 64k", daemon.uri(disk));
        assertThat(counter("vplane_errors_total{component=\"rbd\",error=\"ETIMEDOUT\"}")).isPositive();
    }

    @Test
    void shouldResizeTheRbdImage()
    {
        final String disk = newDisk("8M", "");
        daemon.post("/disk/resize", "{\"name\":\"" + disk + "\",\"size\":\"24M\"}");

        assertThat(cluster.cli(30, "rbd", "info", "rbd/" + disk)).contains("size 24 MiB");
        assertThat(Peer.run(30, "nbdinfo", "--size", daemon.uri(disk)).trim()).isEqualTo(Long.toString(24L << 20));
    }

    @Test
    void shouldServeTheConfiguredDiskAndRefuseASnapshotThatIsNotReadOnly()
    {
        assertThat(Peer.run(30, "nbdinfo", "--size", daemon.uri("ceph0")).trim()).isEqualTo(Long.toString(64L << 20));
        cluster.cli(30, "rbd", "snap", "create", "rbd/img@s1");

        final String refused = errorOf("{\"name\":\"snap\",\"size\":\"64M\",\"image\":\"" + cluster.uri("img@s1", "") + "\"}");
        daemon.post("/disk/create", "{\"name\":\"snap\",\"size\":\"64M\",\"readOnly\":true,\"image\":\"" +
            cluster.uri("img@s1", "") + "\"}");

        assertThat(refused).contains("snapshot, which is read-only");
        assertThat(Peer.run(30, "nbdinfo", daemon.uri("snap"))).contains("is_read_only: true");
    }

    /**
     * A disk on a local qcow2 (over a raw backing file, with zero clusters) converted online into an
     * rbd image while fio writes with crc32c verification near its end (there the writes reach each
     * chunk before the copier, and their first and last chunks keep source bytes). Afterwards the
     * disk serves from Ceph alone: fio verifies its blocks again and {@code rbd export} is the
     * source with fio's range written.
     */
    @Test
    void shouldConvertALiveQcow2DiskIntoAnRbdImageUnderVerifiedWrites() throws Exception
    {
        final long size = 32L << 20;
        final long fioOffset = 24064L << 10; // 23.5 MiB: not on a chunk boundary
        final long fioBytes = 5L << 20;
        final Path images = daemon.runDir;
        final byte[] block = new byte[1 << 20];
        final Random random = new Random(1818);
        try (RandomAccessFile base = new RandomAccessFile(images.resolve("cv-base.raw").toFile(), "rw"))
        {
            base.setLength(size);
            for (int mib = 0; mib < size >> 20; mib += 3) // two MiB of data, one of hole
            {
                random.nextBytes(block);
                base.seek((long)mib << 20);
                base.write(block);
                base.write(block, 0, block.length / 2);
            }
        }
        final String source = images.resolve("cv.qcow2").toString();
        Peer.run(60, "qemu-img", "create", "-q", "-f", "qcow2", "-b", "cv-base.raw", "-F", "raw", source);
        Peer.run(60, "qemu-io", "-f", "qcow2", "-c", "write -z 4M 2M", "-c", "write -P 0xc1 10M 1M", "-c", "write -P 0xc2 31M 1M", source);
        cluster.cli(30, "rbd", "create", "--size", "32M", "rbd/cv");
        daemon.post("/disk/create", "{\"name\":\"cv\",\"size\":\"32M\",\"image\":\"cv.raw\"}");

        daemon.post("/disk/convert", "{\"name\":\"cv\",\"from\":\"qcow2:cv.qcow2\",\"to\":\"" + cluster.uri("cv", "") +
            "\",\"rateBytesPerSec\":\"6M\"}");
        final Path fioLog = dir.resolve("cv-fio.log");
        final Process fio = new ProcessBuilder(ConversionChecks.fioJob(daemon.uri("cv"), fioOffset, fioBytes, false))
            .redirectErrorStream(true).redirectOutput(fioLog.toFile()).start();
        try
        {
            assertThat(fio.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        finally
        {
            fio.destroyForcibly();
        }
        final String written = Files.readString(fioLog);
        assertThat(written).as(written).contains("err= 0").doesNotContain("verify: bad");
        assertThat(ConversionChecks.state(ConversionChecks.status(daemon, "cv"))).as("fio ran while the disk was converting")
            .isEqualTo("copying");
        ConversionChecks.awaitDone(daemon, "cv", 60);
        assertThat(Files.exists(images.resolve("cv.rbd.convert-map"))).isFalse();
        final JsonNode shown = JSON.readTree(daemon.api.get("/disk/show?name=cv"));
        assertThat(shown.path("image").asText()).as(shown.toString()).startsWith("rbd://rbd/cv");
        assertThat(shown.path("backend").path("state").asText()).as(shown.toString()).isEqualTo("connected");

        // Served from Ceph now: fio's blocks verify again, and Ceph holds the source plus fio's writes.
        Peer.run(60, ConversionChecks.fioJob(daemon.uri("cv"), fioOffset, fioBytes, true));
        final Path exported = dir.resolve("cv-export.raw");
        cluster.cli(60, "rbd", "export", "rbd/cv", exported.toString());
        final Path expected = dir.resolve("cv-expected.raw");
        Peer.run(60, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", source, expected.toString());
        ConversionChecks.overlay(exported, expected, fioOffset, fioBytes);
        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), exported.toString());
        Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), daemon.uri("cv"));
        // The comparison can fail: the source alone differs from Ceph where fio wrote.
        assertThat(Peer.runAllowingFailure(60, "qemu-img", "compare", "-f", "qcow2", "-F", "raw", source, exported.toString())
            .exitCode()).isEqualTo(1);
        assertThat(ConversionChecks.number(daemon.api.get("/metrics"), "vplane_nbd_request_errors_total\\{disk=\"cv\"")).isZero();
    }

    /**
     * kill -9 of the daemon (a process of its own) while it converts a qcow2 disk into its rbd image:
     * the restarted daemon finds the map and resumes, and every write acknowledged before the kill
     * (flushed, or with FUA; into a copied chunk and across uncopied ones) is in Ceph afterwards,
     * beside the source's bytes: {@code rbd export} compares identical to the source with the writes.
     */
    @Test
    void shouldResumeAConversionIntoRbdAfterKillDashNineAndKeepEveryAcknowledgedWrite() throws Exception
    {
        final Path work = Files.createDirectories(dir.resolve("killed"));
        final Path source = work.resolve("src.qcow2");
        Peer.run(60, "qemu-img", "create", "-q", "-f", "qcow2", source.toString(), "32M");
        Peer.run(60, "qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 16M", "-c", "write -P 0x22 16M 16M", source.toString());
        cluster.cli(30, "rbd", "create", "--size", "32M", "rbd/killed");
        final int nbdPort = CephCluster.freePort();
        final String export = "nbd://127.0.0.1:" + nbdPort + "/vm";
        final Path runDir = work.resolve("run");
        final Path config = work.resolve("vplane.yaml");
        Files.writeString(config, """
            daemon: {runDir: %s, imageDirs: [%s], drainTimeoutMs: 3000}
            pools:
              blk: {workers: 1}
            nbd:
              port: %d
              tenants:
                - {name: local, allow: [127.0.0.0/8]}
              disks:
                - {name: vm, image: "%s", sizeBytes: 33554432, tenant: local}
            """.formatted(runDir, work, nbdPort, cluster.uri("killed", "timeoutMs=10000")));
        final Path log = work.resolve("daemon.log");
        DaemonChild child = DaemonChild.start(config, runDir, log);
        try
        {
            child.api.post("/disk/convert", "{\"name\":\"vm\",\"from\":\"qcow2:src.qcow2\",\"rateBytesPerSec\":\"4M\"}");
            awaitDoneBytes(child, 3L << 20);
            final String[] writes = {"write -P 0xa1 1M 64k", "write -P 0xa2 20M 1088k", "write -f -P 0xa3 30M 4k"};
            Peer.run(60, "qemu-io", "-f", "raw", "-c", writes[0], "-c", writes[1], "-c", writes[2], "-c", "flush", export);
            assertThat(ConversionChecks.state(convertStatus(child))).as("killed while the copier runs").isEqualTo("copying");

            child.kill();
            assertThat(work.resolve("vm.rbd.convert-map")).exists();
            child = DaemonChild.start(config, runDir, log);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String status = convertStatus(child);
            while (!"done".equals(ConversionChecks.state(status)))
            {
                // Copying, then switching the disk over to the target alone; failed or paused would end it.
                assertThat(ConversionChecks.state(status)).as(status).isIn("copying", "switching");
                assertThat(System.nanoTime() - deadline).as(status).isNegative();
                TimeUnit.MILLISECONDS.sleep(100);
                status = convertStatus(child);
            }

            assertThat(work.resolve("vm.rbd.convert-map")).doesNotExist();
            final String readBack = Peer.run(60, "qemu-io", "-f", "raw", "-c", "read -P 0xa1 1M 64k", "-c", "read -P 0xa2 20M 1088k",
                "-c", "read -P 0xa3 30M 4k", "-c", "read -P 0x11 0 1M", "-c", "read -P 0x22 16M 4M", export);
            assertThat(readBack).doesNotContain("Pattern verification failed").doesNotContain("failed");
            final Path exported = work.resolve("export.raw");
            cluster.cli(60, "rbd", "export", "rbd/killed", exported.toString());
            final Path expected = work.resolve("expected.raw");
            Peer.run(60, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", source.toString(), expected.toString());
            Peer.run(60, "qemu-io", "-f", "raw", "-c", writes[0], "-c", writes[1], "-c", writes[2], expected.toString());
            assertThat(Peer.run(60, "qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), exported.toString()))
                .contains("Images are identical");
            assertThat(child.log()).contains("resuming the conversion from qcow2:src.qcow2");
        }
        finally
        {
            child.close();
        }
    }

    private static String convertStatus(final DaemonChild child)
    {
        return child.api.get("/disk/convert/status?name=vm");
    }

    private static void awaitDoneBytes(final DaemonChild child, final long atLeast) throws InterruptedException
    {
        final Pattern done = Pattern.compile("\"bytesDone\"\\s*:\\s*(\\d+)");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = convertStatus(child);
        for (Matcher m = done.matcher(last); !m.find() || Long.parseLong(m.group(1)) < atLeast; m = done.matcher(last))
        {
            assertThat(System.nanoTime() - deadline).as(last).isNegative();
            TimeUnit.MILLISECONDS.sleep(50);
            last = convertStatus(child);
        }
    }

    private static String errorOf(final String body)
    {
        try
        {
            daemon.post("/disk/create", body);
        }
        catch (final RuntimeException ex)
        {
            return ex.getMessage();
        }
        throw new AssertionError("accepted: " + body);
    }

    private static long counter(final String series)
    {
        for (final String line : daemon.api.get("/metrics").split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return (long)Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static String sha256(final byte[] data) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
