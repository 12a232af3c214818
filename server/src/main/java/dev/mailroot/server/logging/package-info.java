/** How the server's log lines are written: the Logback pieces the {@code logback*.xml} patterns use. */
package dev.mailroot.server.logging;
