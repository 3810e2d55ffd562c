/** The {@code devices.vsock} config section and its validated records. */
package io.vplane.vsock.config;
