/** Faults reported by devices and workers: counted per kind, logged once per repeat window. */
package io.vplane.engine.errors;
