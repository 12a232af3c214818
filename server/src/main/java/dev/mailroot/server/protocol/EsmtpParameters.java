package dev.mailroot.server.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The ESMTP parameters of a MAIL or RCPT command line ({@code MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME}). */
public final class EsmtpParameters {
    private EsmtpParameters() {
    }

    /** Name (upper case) to value ({@code ""} when it has none), in order; empty if there are none or the line is odd. */
    public static Map<String, String> of(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        if (line == null) {
            return out;
        }
        int close = line.indexOf('>');
        if (close < 0) {
            return out;
        }
        for (String token : line.substring(close + 1).trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String name = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (!name.isEmpty() && out.size() < 32) {
                out.put(name, eq < 0 ? "" : token.substring(eq + 1));
            }
        }
        return out;
    }
}
