/**
 * Worker threads: each runs a duty cycle over the agents bound to it, pinned to a CPU where the OS
 * allows, with the idle strategy its pool configures. Agents are added and removed through the
 * worker's command inbox, so every change happens between two duty cycles on the worker's thread.
 */
package io.vplane.engine.worker;
