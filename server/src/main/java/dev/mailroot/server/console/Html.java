package dev.mailroot.server.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The console's HTML: every value from outside (a subject, a header, a Sieve error, a binding name)
 * goes through {@link #esc}; pages are built from these few pieces so that escaping is never
 * forgotten in one place.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Html() {
    }

    /** {@code s} safe in element text and in a double-quoted attribute; control characters shown as {@code \xNN}. */
    static String esc(Object o) {
        if (o == null) {
            return "";
        }
        String s = o.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * {@code s} as the content of a {@code <textarea>}: HTML-escaped but otherwise as it is (no
     * {@code \xNN}), so what the browser sends back is the text that was shown.
     */
    static String text(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String time(Instant t) {
        return t == null ? "–" : TIME.format(t);
    }

    static String age(Instant t, Instant now) {
        if (t == null) {
            return "–";
        }
        Duration d = Duration.between(t, now);
        if (d.isNegative()) {
            return "in the future";
        }
        long s = d.getSeconds();
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s < 172_800 ? s / 3600 + " h" : s / 86_400 + " d";
    }

    /** A POST form of one button: {@code action} under /ui, the hidden CSRF field and the given hidden fields. */
    static String button(String action, String csrf, String label, String cssClass, String... hidden) {
        StringBuilder b = new StringBuilder("<form class=\"inline\" method=\"post\" action=\"").append(esc(action)).append("\">")
                .append(csrfField(csrf));
        for (int i = 0; i + 1 < hidden.length; i += 2) {
            b.append("<input type=\"hidden\" name=\"").append(esc(hidden[i])).append("\" value=\"").append(esc(hidden[i + 1]))
                    .append("\">");
        }
        return b.append("<button type=\"submit\" class=\"").append(esc(cssClass)).append("\">").append(esc(label))
                .append("</button></form>").toString();
    }

    static String csrfField(String csrf) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
    }

    /** A table: the header cells are escaped, the row cells are HTML already (built with {@link #esc}). */
    static String table(String id, List<String> headers, List<List<String>> rows, String empty) {
        if (rows.isEmpty()) {
            return "<p class=\"empty\" id=\"" + esc(id) + "-empty\">" + esc(empty) + "</p>";
        }
        StringBuilder b = new StringBuilder("<table id=\"").append(esc(id)).append("\">");
        if (headers.stream().anyMatch(h -> !h.isEmpty())) {
            b.append("<thead><tr>");
            headers.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
            b.append("</tr></thead>");
        }
        b.append("<tbody>");
        for (List<String> r : rows) {
            b.append("<tr>");
            r.forEach(c -> b.append("<td>").append(c).append("</td>"));
            b.append("</tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    static String badge(String state) {
        String cls = switch (state) {
            case "ok", "enabled", "loaded", "delivered", "sent" -> "ok";
            case "warn", "deferred", "held", "waiting", "loading" -> "warn";
            case "skip", "disabled", "local", "not used" -> "muted";
            default -> "fail";
        };
        return "<span class=\"badge " + cls + "\">" + esc(state) + "</span>";
    }
}
