package dev.mailroot.server.tracking;

import dev.mailroot.server.config.MailrootConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code bin/mailroot trace}, {@code GET /trace} and the console's search look for; every part
 * given must match, a part left null matches anything. Text parts match case-insensitively as
 * fragments ({@code to=alice} finds {@code Alice@Example.org}); the time range is
 * [{@code since}, {@code until}).
 *
 * @param id      a Mailroot message id or a Message-ID (with or without angle brackets)
 * @param from    a fragment of the sender (envelope sender, {@code From:}, {@code Sender:})
 * @param to      a fragment of a recipient (envelope recipients, {@code To:}, {@code Cc:}, {@code Delivered-To:})
 * @param subject a fragment of the subject (encoded words decoded)
 * @param since   the earliest time (arrival, or a file's last change)
 * @param until   the time before which it arrived
 */
public record SearchQuery(String id, String from, String to, String subject, Instant since, Instant until) {

    public SearchQuery {
        id = blankToNull(id);
        from = blankToNull(from);
        to = blankToNull(to);
        subject = blankToNull(subject);
        for (String s : new String[]{id, from, to, subject}) {
            if (s != null && s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("a search term holds a control character");
            }
        }
    }

    /** A query for one id or Message-ID. */
    public static SearchQuery of(String idOrMessageId) {
        return new SearchQuery(idOrMessageId, null, null, null, null, null);
    }

    /**
     * Reads the parameters {@code q} (id or Message-ID), {@code from}, {@code to}, {@code subject},
     * {@code since} and {@code until} (see {@link #time}).
     *
     * @throws IllegalArgumentException with a one-line message if a part is malformed
     */
    public static SearchQuery parse(Map<String, String> params, Instant now) {
        return new SearchQuery(params.get("q"), params.get("from"), params.get("to"), params.get("subject"),
                time(params.get("since"), now), time(params.get("until"), now));
    }

    /** The parameters {@link #parse} reads, URL-encoded, without the leading {@code ?}. */
    public String toQueryString() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("q", id);
        p.put("from", from);
        p.put("to", to);
        p.put("subject", subject);
        p.put("since", since == null ? null : since.toString());
        p.put("until", until == null ? null : until.toString());
        return p.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** Whether nothing is asked: such a query is refused, it would list everything. */
    public boolean isEmpty() {
        return id == null && from == null && to == null && subject == null && since == null && until == null;
    }

    /**
     * A point in time as an operator types it: an instant ({@code 2026-12-05T03:00:00Z}), a local
     * date and time ({@code 2026-12-05T03:00}) or date ({@code 2026-12-05}, its start) in the system's
     * zone, or an age ({@code 90s}, {@code 15m}, {@code 2h}, {@code 3d}: that long before {@code now}).
     * Null for null or blank.
     *
     * @throws IllegalArgumentException if it is none of these
     */
    public static Instant time(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            // not an instant
        }
        try {
            return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            // not a local date-time
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            // not a date
        }
        try {
            return now.minus(MailrootConfig.Outbound.duration(t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a time: '" + t.replaceAll("\\p{Cntrl}", "?")
                    + "' (give 2026-12-05T03:00:00Z, 2026-12-05T03:00, 2026-12-05, or an age such as 2h or 3d)");
        }
    }

    /** Whether {@code candidate} is the id asked for (ids compare case-insensitively). */
    public boolean namesId(String candidate) {
        return id != null && candidate != null && candidate.equalsIgnoreCase(id);
    }

    /** Whether {@code messageId} is the Message-ID asked for, brackets aside. */
    public boolean namesMessageId(String messageId) {
        return id != null && messageId != null && TraceLookup.bare(messageId).equals(TraceLookup.bare(id));
    }

    /** Whether {@code t} is in the time range (a null time is in it only when no range is given). */
    public boolean inRange(Instant t) {
        if (t == null) {
            return since == null && until == null;
        }
        return (since == null || !t.isBefore(since)) && (until == null || t.isBefore(until));
    }

    /** Whether the parts other than the id match. */
    public boolean matches(Collection<String> senders, Collection<String> recipients, String subjectText, Instant time) {
        return fragment(from, senders) && fragment(to, recipients)
                && (subject == null || subjectText != null && lower(subjectText).contains(lower(subject)))
                && inRange(time);
    }

    private static boolean fragment(String wanted, Collection<String> values) {
        if (wanted == null) {
            return true;
        }
        String w = lower(wanted);
        return values.stream().anyMatch(v -> v != null && lower(v).contains(w));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
