package dev.mailroot.server.spool;

/**
 * A replacement header section written by sinks: the message is {@code headers} followed by the
 * original content from offset {@code end} (where the original header fields ended).
 */
public record HeaderOverride(byte[] headers, long end) {
}
