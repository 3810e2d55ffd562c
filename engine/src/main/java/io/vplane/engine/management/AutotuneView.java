package io.vplane.engine.management;

import java.util.List;

/**
 * The outcome of choosing N by measurement: each N tried with the request rate it achieved, the N
 * kept, and the placement afterwards.
 */
public record AutotuneView(String type, List<Trial> trials, int chosenQueuesPerWorker, PlacementView placement)
{
    public record Trial(int queuesPerWorker, double requestsPerSec)
    {
    }
}
