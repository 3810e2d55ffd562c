/**
 * Virtual disks (NBD exports), the tenants that own them and their access rules, and the registry
 * the NBD server looks exports up in.
 */
package io.vplane.blockstore.disk;
