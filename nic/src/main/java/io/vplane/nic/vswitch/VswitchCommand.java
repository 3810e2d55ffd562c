package io.vplane.nic.vswitch;

import com.fasterxml.jackson.core.JacksonException;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code vplane ctl vswitch list|add|del}: the translation table of a running switch, through {@link VswitchManagement}. */
@Command(name = "vswitch", mixinStandardHelpOptions = true,
    description = "List, add or delete vSwitch translation entries {ip, localMac, globalMac, port}; changes apply live.")
public final class VswitchCommand extends ApiCommand
{
    @Parameters(index = "0", paramLabel = "ACTION", description = "list, add or del")
    String action;

    @Option(names = "--switch", paramLabel = "NAME", description = "Switch name (default: the only one running).")
    String switchName;

    @Option(names = "--ip", paramLabel = "IP", description = "VM IPv4 or IPv6 address (add, del).")
    String ip;

    @Option(names = "--local-mac", paramLabel = "MAC", description = "The VM's own MAC (add).")
    String localMac;

    @Option(names = "--global-mac", paramLabel = "MAC", description = "The MAC the physical network sees (add).")
    String globalMac;

    @Option(names = "--port", paramLabel = "PORT", description = "Switch port of the VM (add).")
    String port;

    @Override
    protected String run(final ManagementClient client) throws JacksonException
    {
        final Map<String, Object> request = fields();
        putIfSet(request, "switch", switchName);
        final Text tree = body -> ManagementText.tree(mapper.readTree(body));
        return switch (action)
        {
            case "list" -> get(client, "/vswitch/list" + (null == switchName ? "" :
                "?switch=" + URLEncoder.encode(switchName, StandardCharsets.UTF_8)), tree);
            case "add" ->
            {
                request.put("ip", required("--ip", ip));
                request.put("localMac", required("--local-mac", localMac));
                request.put("globalMac", required("--global-mac", globalMac));
                request.put("port", required("--port", port));
                yield post(client, "/vswitch/add", request, tree);
            }
            case "del" ->
            {
                request.put("ip", required("--ip", ip));
                yield post(client, "/vswitch/del", request, tree);
            }
            default -> throw new ParameterException(spec.commandLine(), "ACTION must be list, add or del: " + action);
        };
    }
}
