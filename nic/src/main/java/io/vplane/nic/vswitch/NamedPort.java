package io.vplane.nic.vswitch;

/**
 * What every port built inside vplane (sink, source, test ports) has in common: a name, a role
 * and a VNI fixed at construction.
 */
abstract class NamedPort implements SwitchPort
{
    private final String name;
    private final PortRole role;
    private final int vni;

    NamedPort(final String name, final PortRole role, final int vni)
    {
        this.name = name;
        this.role = role;
        this.vni = vni;
    }

    @Override
    public final String name()
    {
        return name;
    }

    @Override
    public final PortRole role()
    {
        return role;
    }

    @Override
    public final int vni()
    {
        return vni;
    }
}
