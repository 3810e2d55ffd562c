package io.vplane.engine.worker;

/** An agent threw from its duty cycle and was taken off its worker; the worker and its other agents go on. */
public final class AgentStoppedException extends RuntimeException
{
    public AgentStoppedException(final String worker, final String agent, final Throwable fault)
    {
        super("worker " + worker + ": " + agent + " stopped after " + fault, fault, false, false);
    }
}
