package dev.mailroot.server.sieve;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A jSieve error message with its trailing " Line 3 column 5." taken apart. */
record ErrorPosition(int line, int column, String reason) {

    private static final Pattern JSIEVE_POSITION = Pattern.compile("\\s*Line (\\d+) column (\\d+)\\.\\s*$");

    static ErrorPosition of(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher m = JSIEVE_POSITION.matcher(message);
        if (m.find()) {
            return new ErrorPosition(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    lowerFirst(message.substring(0, m.start())));
        }
        return new ErrorPosition(0, 0, lowerFirst(message));
    }

    /** {@code line 3: reason}, or the reason alone. */
    String describe() {
        return new SieveSyntaxError(line, column, reason).message();
    }

    private static String lowerFirst(String s) {
        String t = SieveSyntaxError.oneLine(s);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t.isEmpty() || t.length() > 1 && Character.isUpperCase(t.charAt(1))
                ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }
}
