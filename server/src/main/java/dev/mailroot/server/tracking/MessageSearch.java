package dev.mailroot.server.tracking;

import dev.mailroot.server.Home;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.spool.SpoolEntry;
import jakarta.mail.internet.MimeUtility;

import java.io.UnsupportedEncodingException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Finds messages wherever they are: the pickup folder (and its claims), the spool and outbound
 * queue (when the server runs in this process), poison, quarantine, badmail, the POP3 connector's
 * {@code pop3/incoming} and {@code pop3/failed}, every mailbox's Maildir, and the message-tracking
 * log for those that left. Reads header sections only (the first 64 KB of a file), each folder
 * newest first, and stops at a limit. What {@code bin/mailroot trace} and the console's search page
 * call. Thread-safe; reads only.
 */
public final class MessageSearch {
    /** At most this many files are read in one search (a time range narrows the scan first, by mtime). */
    public static final int MAX_FILES_READ = 20_000;
    static final Pattern RECEIVED_ID = Pattern.compile("\\bid ([A-Za-z0-9._-]{1,64})");

    /** One message found: where it is and what its headers say. */
    public record Hit(String place, String id, Path file, Instant time, String from, List<String> to, String subject,
                      String messageId, String detail) {
        public Hit {
            to = List.copyOf(to);
        }
    }

    /** The hits, and whether more matched than were returned; {@code notes} say what was not searched. */
    public record Result(List<Hit> hits, boolean more, List<String> notes) {
        public Result {
            hits = List.copyOf(hits);
            notes = List.copyOf(notes);
        }
    }

    private final Home home;
    private final Supplier<Collection<SpoolEntry>> spool;

    /** A search of {@code home}'s folders and tracking log, without the spool (the server is elsewhere or stopped). */
    public MessageSearch(Home home) {
        this(home, null);
    }

    /** A search that also looks in the spool of the server running in this process. */
    public MessageSearch(Home home, Supplier<Collection<SpoolEntry>> spool) {
        this.home = home;
        this.spool = spool;
    }

    /** At most {@code limit} messages that {@code q} matches, place by place, newest first within each. */
    public List<Hit> search(SearchQuery q, int limit) {
        return find(q, limit).hits();
    }

    /** As {@link #search}, saying whether more matched and what could not be read. */
    public Result find(SearchQuery q, int limit) {
        return find(q, limit, true);
    }

    /** As {@link #find(SearchQuery, int)} without the tracking log (for a caller that reads the log's lines itself). */
    public Result places(SearchQuery q, int limit) {
        return find(q, limit, false);
    }

    private Result find(SearchQuery q, int limit, boolean withLog) {
        SearchScan scan = new SearchScan(home, q, limit);
        scan.folder("pickup", home.pickup(), 1, false);
        scan.claims(home.pickup().resolve(".claimed"));
        if (spool != null) {
            scan.spool(spool.get());
        }
        scan.folder("poison", home.poison(), 1, true);
        scan.folder("quarantine", home.quarantine(), 1, true);
        scan.folder("badmail", home.badmail(), 1, true);
        scan.folder("badmail/deleted", home.badmail().resolve("deleted"), 1, true);
        Path pop3 = home.mailroot().resolve("pop3");
        scan.folder("pop3/incoming", pop3.resolve("incoming"), 2, false);
        scan.folder("pop3/failed", pop3.resolve("failed"), 2, false);
        scan.mailboxes(home.mailboxes());
        if (withLog) {
            scan.log();
        }
        return new Result(scan.hits, scan.more, scan.notes);
    }

    static List<String> recipientsOf(HeaderSection s) {
        List<String> out = new ArrayList<>(s.all("To"));
        out.addAll(s.all("Cc"));
        return out;
    }

    /**
     * The reason a {@code .bdr} or {@code .reason} file gives: its {@code Reason:} line and its first
     * {@code Failed:} line (the recipient and the cause), else its first line.
     */
    public static String reasonLine(String text) {
        List<String> lines = text.lines().toList();
        String reason = null;
        String failed = null;
        for (String line : lines) {
            if (reason == null && line.startsWith("Reason:")) {
                reason = line.substring(7).strip();
            } else if (failed == null && line.startsWith("Failed:")) {
                failed = line.substring(7).strip();
            }
        }
        if (reason != null) {
            return failed == null ? reason : reason + ": " + failed;
        }
        return lines.stream().filter(l -> !l.isBlank()).findFirst().map(String::strip).orElse("");
    }

    /** A header value with its RFC 2047 encoded words decoded (as a mail reader shows it). */
    public static String decode(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
