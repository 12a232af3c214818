package dev.mailroot.server.pickup;

/**
 * A pickup entry that is not a regular file (a symbolic link, a FIFO, a folder), or that changed
 * while it was being opened. It is never read: it goes to badmail as it is, with the reason.
 */
final class NotARegularFile extends Exception {
    NotARegularFile(String reason) {
        super(reason);
    }
}
