/**
 * The typed, immutable configuration model of vplane, its YAML loader with validation that names
 * file, line and setting path, and the diff that tells a reload what it may change live.
 */
package io.vplane.config;
