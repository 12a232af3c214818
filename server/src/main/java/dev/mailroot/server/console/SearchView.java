package dev.mailroot.server.console;

import dev.mailroot.server.tracking.MessageSearch;
import dev.mailroot.server.tracking.SearchQuery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /ui/search}: the {@code bin/mailroot trace} view — every place a message can be (pickup,
 * spool, queue, poison, quarantine, badmail, the POP3 connector's folders, every mailbox, the
 * tracking log after it left), by id, Message-ID, sender, recipient, subject and time.
 */
final class SearchView implements Console.View {
    private static final int LIMIT = 200;
    private final ConsoleServices s;

    SearchView(ConsoleServices s) {
        this.s = s;
    }

    @Override
    public Console.Answer get(Console.Request r) {
        Map<String, String> q = r.query();
        StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/ui/search\" class=\"stack\" id=\"search-form\">");
        field(b, "q", "id or Message-ID", q);
        field(b, "from", "sender contains", q);
        field(b, "to", "recipient contains", q);
        field(b, "subject", "subject contains", q);
        field(b, "since", "since (2h, 2026-12-05, ...)", q);
        field(b, "until", "until", q);
        b.append("<button type=\"submit\" class=\"primary\" id=\"search\">Search</button></form>");
        Instant now = s.clock().instant();
        SearchQuery query;
        try {
            query = SearchQuery.parse(q, now);
        } catch (IllegalArgumentException e) {
            return new Console.Page("Message search", "search", b + "<p class=\"flash error\" id=\"flash\">" + Html.esc(e.getMessage()) + "</p>", 400);
        }
        if (query.isEmpty()) {
            b.append("<p class=\"hint\">Give at least one term. The same search from a shell: <code>bin/mailroot trace --to carol "
                    + "--since 2h</code>.</p>");
            return new Console.Page("Message search", "search", b.toString());
        }
        MessageSearch.Result result = s.search().find(query, LIMIT);
        List<List<String>> rows = new ArrayList<>();
        for (MessageSearch.Hit h : result.hits()) {
            rows.add(List.of(Html.esc(h.place()), Html.time(h.time()), "<code>" + Html.esc(h.id()) + "</code>", Html.esc(h.from()),
                    Html.esc(String.join(", ", h.to())), "<span class=\"subject\">" + Html.esc(h.subject()) + "</span>",
                    Html.esc(h.detail()) + (h.file() == null ? "" : "<br><code>" + Html.esc(h.file()) + "</code>")));
        }
        result.notes().forEach(n -> b.append("<p class=\"hint\">").append(Html.esc(n)).append("</p>"));
        if (result.more()) {
            b.append("<p class=\"hint\">More than ").append(LIMIT).append(" matches: the newest are shown; narrow the search.</p>");
        }
        b.append(Html.table("hits", List.of("where", "time", "id", "sender", "recipients", "subject", "detail"), rows,
                "No message matches, in any folder, mailbox or the tracking log."));
        b.append("<p class=\"hint\">The same from a shell: <code>bin/mailroot trace ").append(Html.esc(shell(query))).append("</code></p>");
        return new Console.Page("Message search", "search", b.toString());
    }

    private static void field(StringBuilder b, String name, String label, Map<String, String> q) {
        b.append("<label>").append(Html.esc(label)).append("<input type=\"text\" name=\"").append(name).append("\" id=\"search-")
                .append(name).append("\" value=\"").append(Html.esc(q.getOrDefault(name, ""))).append("\"></label>");
    }

    /** {@code s} as one shell word in single quotes ({@code '} itself written {@code '\''}). */
    private static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String shell(SearchQuery q) {
        StringBuilder b = new StringBuilder();
        if (q.id() != null) {
            b.append(quoted(q.id())).append(' ');
        }
        if (q.from() != null) {
            b.append("--from ").append(quoted(q.from())).append(' ');
        }
        if (q.to() != null) {
            b.append("--to ").append(quoted(q.to())).append(' ');
        }
        if (q.subject() != null) {
            b.append("--subject ").append(quoted(q.subject())).append(' ');
        }
        if (q.since() != null) {
            b.append("--since ").append(q.since()).append(' ');
        }
        if (q.until() != null) {
            b.append("--until ").append(q.until()).append(' ');
        }
        return b.toString().strip();
    }
}
