package dev.mailroot.sink;

/** How a message entered Mailroot. */
public enum Source {
    /** Received over SMTP; the envelope carries the client's HELO/EHLO name and address. */
    SMTP("smtp"),
    /** Taken from the pickup directory; the envelope carries the pickup file name. */
    PICKUP("pickup"),
    /** Sent by a sink ({@link Submission#send}); the envelope has no client and no pickup file. */
    SINK("sink");

    private final String wireName;

    Source(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used in logs, reason files and rules: {@code smtp}, {@code pickup} or {@code sink}. */
    public String wireName() {
        return wireName;
    }

    /** The source whose {@link #wireName()} is {@code name} (case-insensitive). */
    public static Source fromWireName(String name) {
        for (Source s : values()) {
            if (s.wireName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown source: " + name);
    }
}
