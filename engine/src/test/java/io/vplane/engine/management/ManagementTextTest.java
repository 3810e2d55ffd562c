package io.vplane.engine.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementTextTest
{
    private final FakeManagementApi api = new FakeManagementApi();

    @Test
    void placementHasAHeaderAndOneLinePerWorker()
    {
        assertThat(ManagementText.placement(api.placement("blk"))).isEqualTo(
            "blk: queuesPerWorker=3 batch=16 dedicated=false\n" +
            "  worker blk-0 (cpu 1): group blk.lo1.g0 [lo1/0 lo1/1 lo1/2]\n" +
            "  worker blk-1 (unpinned): group blk.lo1.g1 [lo1/3], group blk.lo2.g0 [lo2/0]\n");
    }

    @Test
    void placementWithoutWorkersOrQueues()
    {
        assertThat(ManagementText.placement(new PlacementView("vsock", 1, 8, true, List.of(), List.of()))).isEqualTo(
            "vsock: queuesPerWorker=1 batch=8 dedicated=true\n  (no workers)\n");
        assertThat(ManagementText.placement(new PlacementView("net", 1, 8, false,
            List.of(new PlacementView.WorkerView("net-0", -1, false, List.of())), List.of())))
            .endsWith("  worker net-0 (unpinned): (no queues)\n");
    }

    @Test
    void placementListsTheTypesIoThreads()
    {
        assertThat(ManagementText.placement(new PlacementView("blk", 4, 16, false,
            List.of(new PlacementView.WorkerView("blk-0", 1, true, List.of())),
            List.of(new PlacementView.IoThreadView("vplane-blk-io-0", 0, true),
                new PlacementView.IoThreadView("vplane-blk-io-1", -1, false)))))
            .endsWith("  worker blk-0 (cpu 1): (no queues)\n"
                + "  io thread vplane-blk-io-0 (cpu 0)\n"
                + "  io thread vplane-blk-io-1 (unpinned)\n");
    }

    @Test
    void reloadHasOneLinePerChange()
    {
        assertThat(ManagementText.reload(api.reload())).isEqualTo(
            "reloaded /etc/vplane.yaml: 2 changes\n" +
            "pools.blk.workers: 1 -> 2 (needs restart)\n" +
            "pools.blk.batch: 16 -> 32 (applied)\n");
        assertThat(ManagementText.reload(new ReloadReport("f.yaml", List.of()))).isEqualTo("reloaded f.yaml: no changes\n");
    }

    @Test
    void statusListsDevicesAndPlacement()
    {
        assertThat(ManagementText.status(api.status())).isEqualTo(
            "vplane daemon pid 4242, up 01:02:03 (since 2023-11-14T22:13:20Z)\n" +
            "run dir: /tmp/vplane\n" +
            "config:  /etc/vplane.yaml\n" +
            "devices:\n" +
            "  lo1  loopback  blk  4 queues\n" +
            "placement:\n" +
            ManagementText.placement(api.placement("blk")));
    }

    @Test
    void treePrintsJsonLikeYaml() throws Exception
    {
        final String json = "{\"a\":{\"b\":1,\"list\":[1,2],\"empty\":[],\"items\":[{\"x\":\"y\"}]},\"c\":null}";

        assertThat(ManagementText.tree(new ObjectMapper().readTree(json))).isEqualTo(
            "a:\n" +
            "  b: 1\n" +
            "  list: [1, 2]\n" +
            "  empty: []\n" +
            "  items:\n" +
            "    -\n" +
            "      x: y\n" +
            "c: null\n");
    }
}
