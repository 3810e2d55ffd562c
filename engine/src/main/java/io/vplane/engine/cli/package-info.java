/** The {@code vplane} command line (picocli): run, config check, stat, ctl. */
package io.vplane.engine.cli;
