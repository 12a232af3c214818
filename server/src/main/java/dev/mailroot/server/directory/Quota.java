package dev.mailroot.server.directory;

/**
 * A mailbox's limits (Maildir++ quota): bytes and/or messages, 0 for no limit, and the percentage
 * of either at which a warning is given.
 *
 * @param maxBytes    bytes, 0: none
 * @param maxMessages messages, 0: none
 * @param warnPercent 1..100, the warning level
 */
public record Quota(long maxBytes, long maxMessages, int warnPercent) {
    /** No limit. */
    public static final Quota NONE = new Quota(0, 0, 90);

    public Quota {
        if (maxBytes < 0 || maxMessages < 0) {
            throw new IllegalArgumentException("a quota cannot be negative");
        }
        if (warnPercent < 1 || warnPercent > 100) {
            throw new IllegalArgumentException("warnPercent must be 1..100, not " + warnPercent);
        }
    }

    public boolean limited() {
        return maxBytes > 0 || maxMessages > 0;
    }

    /** Whether {@code bytes}/{@code messages} already reach the limit: nothing more is accepted. */
    public boolean full(long bytes, long messages) {
        return maxBytes > 0 && bytes >= maxBytes || maxMessages > 0 && messages >= maxMessages;
    }

    /** Whether adding {@code size} bytes and one message would pass the limit. */
    public boolean exceededBy(long bytes, long messages, long size) {
        return maxBytes > 0 && bytes + size > maxBytes || maxMessages > 0 && messages + 1 > maxMessages;
    }

    /** Whether the usage is at or above the warning level. */
    public boolean warns(long bytes, long messages) {
        return maxBytes > 0 && bytes * 100 >= maxBytes * warnPercent
                || maxMessages > 0 && messages * 100 >= maxMessages * warnPercent;
    }

    /** The Maildir++ quota definition ({@code 204800000S,10000C}), as written in {@code maildirsize}. */
    public String maildirDefinition() {
        StringBuilder sb = new StringBuilder();
        if (maxBytes > 0) {
            sb.append(maxBytes).append('S');
        }
        if (maxMessages > 0) {
            sb.append(sb.length() > 0 ? "," : "").append(maxMessages).append('C');
        }
        return sb.toString();
    }

    /** As an administrator writes it: {@code 200000 KB, 10000 messages, warning at 90 %}. */
    public String describe() {
        if (!limited()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (maxBytes > 0) {
            sb.append(Sizes.format(maxBytes));
        }
        if (maxMessages > 0) {
            sb.append(sb.length() > 0 ? ", " : "").append(maxMessages).append(" messages");
        }
        return sb.append(", warning at ").append(warnPercent).append(" %").toString();
    }
}
