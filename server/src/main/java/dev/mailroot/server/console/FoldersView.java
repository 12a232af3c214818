package dev.mailroot.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroot.server.outbound.OutboundQueue;
import dev.mailroot.server.outbound.QueueView;
import dev.mailroot.server.spool.SpoolEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code /ui/folders/<folder>}: the queue (what {@code bin/mailroot queue list} shows, with its
 * flush, hold, release and delete) and the folders where mail waits for an administrator — badmail,
 * poison, quarantine — with each message's headers and reason, resubmit and delete. Nothing
 * vanishes: a deleted message goes to badmail with the reason, a deleted badmail entry to
 * {@code badmail/deleted/}.
 */
final class FoldersView implements Console.View {
    static final List<String> FOLDERS = List.of("queue", "badmail", "poison", "quarantine");
    private final ConsoleServices s;

    FoldersView(ConsoleServices s) {
        this.s = s;
    }

    private static String subnav(String current) {
        StringBuilder b = new StringBuilder("<div class=\"subnav\">");
        for (String f : FOLDERS) {
            b.append("<a href=\"/ui/folders/").append(f).append("\" id=\"folder-").append(f).append('"')
                    .append(f.equals(current) ? " class=\"current\"" : "").append('>').append(f).append("</a>");
        }
        return b.append("</div>").toString();
    }

    @Override
    public Console.Answer get(Console.Request r) throws Exception {
        String folder = r.segment(1).isEmpty() ? "queue" : r.segment(1);
        if (!FOLDERS.contains(folder)) {
            return new Console.Page("No such folder", "folders", subnav("") + "<p>No folder '" + Html.esc(folder) + "'.</p>", 404);
        }
        if (folder.equals("queue")) {
            return r.path().size() >= 3 ? queueEntry(r, r.segment(2)) : queue(r);
        }
        return FolderPages.get(s, r, folder, subnav(folder));
    }

    private Console.Answer queue(Console.Request r) {
        Instant now = s.clock().instant();
        String csrf = r.session().csrf;
        List<List<String>> rows = new ArrayList<>();
        List<SpoolEntry> entries = new ArrayList<>(s.spool().entries());
        entries.sort(Comparator.comparing((SpoolEntry e) -> e.envelope().arrivalTime()).thenComparing(SpoolEntry::id));
        for (SpoolEntry e : entries.subList(0, Math.min(500, entries.size()))) {
            JsonNode n = QueueView.json(e, now);
            StringBuilder rc = new StringBuilder();
            boolean remote = false;
            boolean held = false;
            boolean waiting = false;
            for (JsonNode x : n.path("recipients")) {
                String state = x.path("state").asText();
                remote |= !state.equals("local");
                held |= state.equals("held");
                waiting |= state.equals("queued") || state.equals("deferred");
                rc.append(Html.esc(x.path("address").asText())).append(' ').append(Html.badge(state.equals("queued") ? "ok" : state)
                        .replace(">ok<", ">queued<"));
                if (x.has("lastReply")) {
                    rc.append("<br><span class=\"hint\">").append(Html.esc(x.path("lastReply").asText())).append("</span>");
                }
                rc.append("<br>");
            }
            String id = e.id();
            String actions = !remote ? "" : (waiting ? Html.button("/ui/folders/queue", csrf, "Retry now", "", "action", "flush", "id", id)
                    + Html.button("/ui/folders/queue", csrf, "Hold", "", "action", "hold", "id", id) : "")
                    + (held ? Html.button("/ui/folders/queue", csrf, "Release", "", "action", "release", "id", id) : "")
                    + Html.button("/ui/folders/queue", csrf, "Delete (to badmail)", "danger", "action", "delete", "id", id);
            rows.add(List.of("<a href=\"/ui/folders/queue/" + Html.esc(id) + "\"><code>" + Html.esc(id) + "</code></a>",
                    Html.esc(n.path("sender").asText()), rc.toString(), Html.age(e.envelope().arrivalTime(), now), actions));
        }
        String body = subnav("queue") + "<p class=\"hint\">The spool: messages waiting for sinks or local delivery "
                + "(<em>local</em>) and for remote delivery; the same as <code>bin/mailroot queue list</code>.</p>"
                + "<p>" + Html.button("/ui/folders/queue", csrf, "Retry all deferred now", "", "action", "flush") + "</p>"
                + Html.table("queue", List.of("id", "sender", "recipients", "age", ""), rows, "The queue is empty.");
        return new Console.Page("Queue", "folders", body);
    }

    private Console.Answer queueEntry(Console.Request r, String id) {
        Optional<SpoolEntry> e = s.spool().entries().stream().filter(x -> x.id().equals(id)).findFirst();
        if (e.isEmpty()) {
            return new Console.Page("Not in the queue", "folders", subnav("queue") + "<p>No message <code>" + Html.esc(id)
                    + "</code> in the queue now: it may have been delivered. <a href=\"/ui/search?q=" + Html.esc(
                    java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)) + "\">Search for it</a>.</p>", 404);
        }
        JsonNode n = QueueView.json(e.get(), s.clock().instant());
        StringBuilder b = new StringBuilder(subnav("queue"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode x : n.path("recipients")) {
            rows.add(List.of(Html.esc(x.path("address").asText()), Html.badge(x.path("state").asText()),
                    Html.esc(x.path("destination").asText()), Html.esc(x.path("attempts").asText()),
                    Html.esc(x.path("nextAttempt").asText("")), Html.esc(x.path("lastReply").asText("")) + " "
                            + Html.esc(x.path("lastHost").asText(""))));
        }
        b.append("<p>sender <code>").append(Html.esc(n.path("sender").asText())).append("</code>, ").append(n.path("size").asLong())
                .append(" bytes, arrived ").append(Html.esc(n.path("arrival").asText())).append("</p>")
                .append(Html.table("recipients", List.of("recipient", "state", "destination", "attempts", "next attempt", "last reply"),
                        rows, ""));
        b.append("<h2>Header</h2><pre id=\"queue-headers\">").append(Html.esc(headers(e.get()))).append("</pre>");
        b.append("<p class=\"hint\">Its journey so far: <code>bin/mailroot trace ").append(Html.esc(id)).append("</code></p>");
        return new Console.Page("Queued message " + id, "folders", b.toString());
    }

    /** The message's header section as it is in the spool (sinks may have changed it), each field on one line. */
    private String headers(SpoolEntry e) {
        try {
            dev.mailroot.server.message.HeaderSection h = dev.mailroot.server.message.HeaderSection.parse(s.spool().content(e));
            StringBuilder b = new StringBuilder();
            for (dev.mailroot.server.message.HeaderSection.Field f : h.fields()) {
                b.append(f.name()).append(": ").append(MaildirListing.decoded(f.value())).append('\n');
            }
            return b.toString();
        } catch (java.io.IOException | RuntimeException x) {
            return "(cannot be read now: " + x.getMessage() + ")";
        }
    }

    @Override
    public Console.Answer post(Console.Request r) throws Exception {
        String folder = r.segment(1);
        if (!folder.equals("queue")) {
            return FOLDERS.contains(folder) ? FolderPages.post(s, r, folder) : new Console.Text(404, "404 no such folder\n");
        }
        OutboundQueue q = s.outbound();
        String action = r.param("action") == null ? "" : r.param("action");
        String id = r.param("id") == null || r.param("id").isBlank() ? null : r.param("id").strip();
        String back = "/ui/folders/queue";
        if (!List.of("flush", "hold", "release", "delete").contains(action)) {
            return new Console.Text(400, "400: unknown action\n");
        }
        if (id == null && !action.equals("flush")) {
            return new Console.Redirect(back, action + " needs a message: use the button on its row", true);
        }
        if (id != null && (!id.matches("[A-Za-z0-9._-]{1,64}") || q.entry(id).isEmpty())) {
            return new Console.Redirect(back, "no message " + id + " in the outbound queue (delivered or deleted meanwhile?)", true);
        }
        switch (action) {
            case "flush" -> {
                int n = q.flush(id, null);
                return new Console.Redirect(back, n + " recipient(s) due now" + (id == null ? "" : " for message " + id), false);
            }
            case "hold" -> {
                return new Console.Redirect(back, q.hold(id) + " recipient(s) of message " + id + " held", false);
            }
            case "release" -> {
                return new Console.Redirect(back, q.release(id) + " recipient(s) of message " + id + " released (due now)", false);
            }
            default -> {
                String reason = "deleted by administrator (web console)";
                return q.delete(id, reason).map(f -> (Console.Answer) new Console.Redirect(back, "message " + id
                        + " moved to badmail as " + f.getFileName() + " (reason: " + reason + ")", false))
                        .orElse(new Console.Redirect(back, "no message " + id + " in the outbound queue", true));
            }
        }
    }
}
