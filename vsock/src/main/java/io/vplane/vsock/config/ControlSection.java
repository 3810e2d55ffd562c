package io.vplane.vsock.config;

import io.vplane.config.BindContext;
import io.vplane.config.ConfigDiff;
import io.vplane.config.KeyedSection;
import io.vplane.config.SectionReader;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code control} section. Nothing in it applies live: the VMs' interface information is
 * fixed at start, and a reload that changes it says a restart is needed.
 */
public final class ControlSection extends KeyedSection<ControlConfig>
{
    public static final String KEY = "control";

    public ControlSection()
    {
        super(KEY, Place.ROOT, ControlConfig.class);
    }

    @Override
    public ControlConfig defaults()
    {
        return new ControlConfig("", List.of(), ControlConfig.ANSWER_TIMEOUT_MS);
    }

    @Override
    public ControlConfig bind(final SectionReader parent, final BindContext context)
    {
        final SectionReader section = parent.section(KEY);
        final String journalFile = section.string("journalFile", "");
        final List<ControlVmConfig> vms = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (final SectionReader item : section.list("vms"))
        {
            final ControlVmConfig vm = vm(item, context);
            if (null != vm && !names.add(vm.name()))
            {
                item.reject("name", "VM '" + vm.name() + "' is named twice");
            }
            else if (null != vm)
            {
                vms.add(vm);
            }
        }
        final int answerTimeoutMs = section.integer("answerTimeoutMs", ControlConfig.ANSWER_TIMEOUT_MS, 100, 3_600_000);
        section.finish();
        return new ControlConfig(journalFile, vms, answerTimeoutMs);
    }

    private static ControlVmConfig vm(final SectionReader item, final BindContext context)
    {
        final String name = item.requiredName("name", "VM");
        final ControlVmConfig.Transport transport = item.enumValue("transport", ControlVmConfig.Transport.VSOCK_USER,
            ControlVmConfig.Transport.values(), ControlVmConfig.Transport::toString, "transport");
        final String device = item.string("device", "");
        final int port = item.integer("port", 7000, 1, 65_535);
        final String address = item.string("address", "");
        final String path = item.string("path", "");
        // 0..2 are the hypervisor, the local loopback and the host; 0xFFFFFFFF is "any"
        final long cid = item.longValue("cid", 0, 0, 0xFFFF_FFFEL);
        final String secretFile = item.requiredString("secretFile");
        switch (transport)
        {
            case VSOCK_USER ->
            {
                require(item, "device", device, "the VM's vsock device (a devices.vsock name)");
                if (!device.isEmpty() && !("devices." + VsockSection.KEY).equals(context.deviceListOf(device)))
                {
                    item.reject("device", "no vsock device named '" + device + "' in devices.vsock");
                }
            }
            case VSOCK ->
            {
                if (cid < 3 && cid != 1)
                {
                    item.reject("cid", "cid is required with transport vsock: the guest's context id (3 or more; 1 = this machine)");
                }
            }
            case TCP -> require(item, "address", address, "the agent's host name or address");
            case UNIX -> require(item, "path", path, "the agent's socket path");
        }
        item.finish();
        return null == name || null == secretFile ? null : new ControlVmConfig(name, transport, device, port, address, path, cid, secretFile);
    }

    private static void require(final SectionReader item, final String key, final String value, final String what)
    {
        if (value.isEmpty())
        {
            item.reject(key, key + " is required with this transport: " + what);
        }
    }

    @Override
    public void diff(final ControlConfig running, final ControlConfig next, final ConfigDiff diff)
    {
        diff.compare(KEY + ".journalFile", running.journalFile(), next.journalFile(), ConfigDiff.RESTART);
        diff.compare(KEY + ".vms", running.vms(), next.vms(), ConfigDiff.RESTART);
        diff.compare(KEY + ".answerTimeoutMs", running.answerTimeoutMs(), next.answerTimeoutMs(), ConfigDiff.RESTART);
    }

    @Override
    public ControlConfig live(final ControlConfig running, final ControlConfig next)
    {
        return running;
    }
}
