package io.vplane.blockstore.disk;

import io.vplane.blockstore.nbd.Export;
import io.vplane.blockstore.nbd.ExportDirectory;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The disks the server exports, by name. A lookup by a client whose address the disk's tenant does
 * not allow answers exactly as for a name that does not exist.
 */
public final class DiskRegistry implements ExportDirectory
{
    private final ConcurrentHashMap<String, Disk> disks = new ConcurrentHashMap<>();

    public void add(final Disk disk)
    {
        if (null != disks.putIfAbsent(disk.name(), disk))
        {
            throw new IllegalStateException("disk " + disk.name() + " is already exported");
        }
    }

    public void remove(final Disk disk)
    {
        disks.remove(disk.name(), disk);
    }

    /** Every exported disk. */
    public void forEach(final Consumer<Disk> action)
    {
        disks.values().forEach(action);
    }

    public boolean isEmpty()
    {
        return disks.isEmpty();
    }

    @Override
    public Export find(final String name, final InetAddress client)
    {
        final Disk disk = disks.get(name);
        return null != disk && disk.tenant().allows(client) ? disk : null;
    }

    @Override
    public List<Export> visibleTo(final InetAddress client)
    {
        return disks.values().stream()
            .filter(disk -> disk.tenant().allows(client))
            .sorted(Comparator.comparing(Disk::name))
            .map(Export.class::cast)
            .toList();
    }
}
