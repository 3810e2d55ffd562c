package io.vplane.dist.beacon;

import java.util.List;

/**
 * The {@code devices.beacon} list.
 *
 * @param beacons the declared beacons
 */
record BeaconConfig(List<Beacon> beacons)
{
    /**
     * @param name  device name
     * @param start the value the beacon's ping counter starts at
     */
    record Beacon(String name, long start)
    {
    }

    BeaconConfig
    {
        beacons = List.copyOf(beacons);
    }
}
