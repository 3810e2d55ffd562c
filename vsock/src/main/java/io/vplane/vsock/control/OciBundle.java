package io.vplane.vsock.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The OCI bundle of one container (runtime-spec 1.0 {@code config.json}): the shared root
 * filesystem read-only, its own pid, network, ipc, uts, mount and cgroup namespaces, the default
 * capabilities of {@code runc spec}, a memory limit in its cgroup ({@code cgroupsPath}
 * {@code /vplane/ID}) and a {@code /data} tmpfs of the target's storage size. The root filesystem
 * must have the mount points {@code /proc /dev /sys /tmp /data}.
 */
final class OciBundle
{
    private OciBundle()
    {
    }

    /** Writes {@code dir/config.json}; {@code memoryBytes} 0: no limit. */
    static void write(
        final Path dir, final String id, final Path rootfs, final List<String> command, final long memoryBytes, final long storageBytes)
        throws IOException
    {
        Files.createDirectories(dir);
        final String args = command.stream().map(OciBundle::quote).collect(Collectors.joining(", "));
        final String caps = "[\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]";
        final String memory = memoryBytes > 0 ? "\"memory\": {\"limit\": " + memoryBytes + "}, " : "";
        Files.writeString(dir.resolve("config.json"), """
            {
              "ociVersion": "1.0.2",
              "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 0},
                "args": [%s],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "cwd": "/",
                "capabilities": {"bounding": %s, "effective": %s, "permitted": %s},
                "noNewPrivileges": true
              },
              "root": {"path": %s, "readonly": true},
              "hostname": %s,
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
                {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=16m"]},
                {"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=%d"]}
              ],
              "linux": {
                "cgroupsPath": %s,
                "resources": {%s"devices": [{"allow": false, "access": "rwm"}]},
                "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
                "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
                "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
              }
            }
            """.formatted(args, caps, caps, caps, quote(rootfs.toAbsolutePath().toString()), quote(id), storageBytes,
            quote("/vplane/" + id), memory));
    }

    private static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (final char c : text.toCharArray())
        {
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
