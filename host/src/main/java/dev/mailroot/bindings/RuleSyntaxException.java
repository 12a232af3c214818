package dev.mailroot.bindings;

/**
 * A rule that does not parse. {@link #position()} is the 1-based character position where the
 * problem is, {@link #reason()} says what is wrong.
 */
public final class RuleSyntaxException extends Exception {
    private final int position;
    private final String reason;

    public RuleSyntaxException(int position, String reason) {
        super("at position " + position + ": " + reason);
        this.position = position;
        this.reason = reason;
    }

    public int position() {
        return position;
    }

    public String reason() {
        return reason;
    }
}
