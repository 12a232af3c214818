package dev.mailroot.server;

import java.io.IOException;

/**
 * A listener could not open its port: the message names the address, the port and the
 * configuration key that set it, then the system's reason, as {@code bin/mailroot} prints it:
 * {@code cannot listen on 127.0.0.1:8025 (admin.port): Address already in use}.
 */
public final class ListenException extends IOException {
    public ListenException(String address, int port, String key, Throwable cause) {
        super("cannot listen on " + address + ":" + port + " (" + key + "): " + reason(cause), cause);
    }

    /** The innermost cause's message: the operating system's words, without the wrappers' prefixes. */
    private static String reason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
