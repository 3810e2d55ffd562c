/**
 * Sleeping until work arrives: doorbells (an eventfd plus an armed flag) that producers ring only
 * while a consumer sleeps, and the epoll set a parked worker waits on.
 */
package io.vplane.engine.wakeup;
