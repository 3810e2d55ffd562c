/**
 * The HTTP management API (Netty): status, config, reload, placement, Prometheus metrics; and the
 * client that {@code vplane ctl} uses to call it.
 */
package io.vplane.engine.management;
