package io.vplane.blockstore.nbd;

import java.net.InetAddress;
import java.util.List;

/** The exports a client may see: looked up by name and client address, so hidden ones stay hidden. */
public interface ExportDirectory
{
    /** @return the export, or null when it does not exist or the client may not see it (never says which) */
    Export find(String name, InetAddress client);

    /** Exports the client may see, in a stable order. */
    List<Export> visibleTo(InetAddress client);
}
