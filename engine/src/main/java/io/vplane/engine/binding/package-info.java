/**
 * Queue binding: a device's M queues are split into ceil(M/N) groups (N per device type), each
 * group is one agent on a worker of its type's pool, and a rebind hands queues from the old
 * agents to the new ones without losing or reordering requests.
 */
package io.vplane.engine.binding;
