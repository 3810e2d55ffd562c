/**
 * The {@code nbd} section of the config file (server, disks, tenants, TLS): its records, checks,
 * defaults and reload rules, as the blk device kind brings them to the config loader.
 */
package io.vplane.blockstore.config;
