package dev.mailroot.server.sieve;

/**
 * A Sieve script that cannot be compiled: a syntax error, an unknown command or test, an
 * extension used without {@code require} or not supported here, or arguments a command refuses.
 * {@link #message()} is one line fit for a command-line tool: {@code line 3: unknown command 'filein'}.
 */
public final class SieveSyntaxError extends Exception {

    private final int line;
    private final int column;
    private final String reason;

    /**
     * @param line   1-based line of the error, 0 when not known
     * @param column 1-based column of the error, 0 when not known
     * @param reason what is wrong, without the position, one line
     */
    public SieveSyntaxError(int line, int column, String reason) {
        super(format(line, reason));
        this.line = Math.max(0, line);
        this.column = line > 0 ? Math.max(0, column) : 0;
        this.reason = oneLine(reason);
    }

    /** The 1-based line of the error, or 0 when the parser could not tell. */
    public int line() {
        return line;
    }

    /** The 1-based column of the error, or 0 when not known. */
    public int column() {
        return column;
    }

    /** What is wrong, without the position. */
    public String reason() {
        return reason;
    }

    /** The position and the reason on one line: {@code line 3: unknown command 'filein'}. */
    public String message() {
        return getMessage();
    }

    private static String format(int line, String reason) {
        return line > 0 ? "line " + line + ": " + oneLine(reason) : oneLine(reason);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.strip().codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString().replaceAll(" {2,}", " ");
    }
}
