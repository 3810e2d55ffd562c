package io.vplane.nic.vswitch;

/** What sits behind a port, which decides the translation direction. */
public enum PortRole
{
    /** A VM (vhost-user port, or an internal port standing in for one): frames carry local MACs. */
    VM,
    /** The physical network (uplink, VXLAN): frames carry global MACs. */
    UPLINK
}
