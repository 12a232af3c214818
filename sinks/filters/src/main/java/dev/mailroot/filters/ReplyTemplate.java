package dev.mailroot.filters;

import dev.mailroot.sink.protocol.SmtpReply;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configured refusal, {@code 554 5.7.1 client [{ip}] blocked using {zone}}: a reply line with
 * placeholders the filter fills in. Checked when the configuration is read ({@link SmtpReply}'s
 * rules, with sample values in the placeholders), so a bad reply is a configuration problem, not a
 * failure at the first refusal.
 *
 * @param text the template as written
 */
record ReplyTemplate(String text) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    /** Longest value put into a placeholder: the reply line stays within 512 octets. */
    private static final int MAX_VALUE = 200;

    /**
     * @param names the placeholders this reply may use
     * @throws IllegalArgumentException with {@link SmtpReply}'s reason, or naming an unknown placeholder
     */
    static ReplyTemplate parse(String text, String... names) {
        ReplyTemplate t = new ReplyTemplate(text == null ? "" : text.strip());
        Matcher m = PLACEHOLDER.matcher(t.text);
        while (m.find()) {
            if (!java.util.List.of(names).contains(m.group(1))) {
                throw new IllegalArgumentException("'" + text + "': unknown placeholder {" + m.group(1) + "}"
                        + (names.length == 0 ? " (this reply has none)" : " (known: {" + String.join("}, {", names) + "})"));
            }
        }
        Map<String, String> sample = new java.util.HashMap<>();
        for (String n : names) {
            sample.put(n, "x".repeat(16));
        }
        SmtpReply.parse(t.fill(sample));
        return t;
    }

    /** The reply with {@code values} in its placeholders; a value is made printable ASCII and cut to fit. */
    SmtpReply reply(Map<String, String> values) {
        return SmtpReply.parse(fill(values));
    }

    private String fill(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(printable(values.getOrDefault(m.group(1), ""))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code s} as one line of printable ASCII (anything else becomes {@code ?}), at most {@value #MAX_VALUE} characters. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < MAX_VALUE; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        return out.toString();
    }
}
