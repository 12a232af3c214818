package dev.mailroot.server.pickup;

/** A pickup file that cannot be a message; the reason goes into its badmail {@code .bdr}. */
final class BadPickupFile extends Exception {
    BadPickupFile(String reason) {
        super(reason);
    }
}
