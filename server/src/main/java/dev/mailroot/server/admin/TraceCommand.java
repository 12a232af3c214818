package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.tracking.MessageSearch;
import dev.mailroot.server.tracking.SearchQuery;
import dev.mailroot.server.tracking.TrackingLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mailroot trace [<id or Message-ID>] [--from --to --subject --since --until]}: where a
 * message is and what happened to it. Looks in every place a message can be ({@link MessageSearch}:
 * pickup, poison, quarantine, badmail, the POP3 connector's folders, every mailbox), in the
 * message-tracking log (the messages that left the spool, with every sink call) and, when the server
 * runs, in its spool and outbound queue (through {@code GET /trace}).
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Finds messages wherever they are (pickup, spool, outbound queue, poison, quarantine, badmail, "
                + "pop3/incoming, pop3/failed, every mailbox) and prints each one's trace: its arrival, every sink call, "
                + "recipients' fates, delivery or badmail, and the file an operator can open. "
                + "Exit 0 if found, 1 if not, 2 on a usage error.",
        footer = {"", "Examples:", "  bin/mailroot trace 0HNV3Q9MKGT0Q", "  bin/mailroot trace '<CAF1x@mail.example.com>' --json | jq .",
                "  bin/mailroot trace --to alice --since 2h", "  bin/mailroot trace --subject invoice --since 2026-12-01 --until 2026-12-02"})
public final class TraceCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HomeOptions options;
    @Parameters(paramLabel = "ID|MESSAGE-ID", arity = "0..1", description = "The Mailroot message id (from a log line or an "
            + "SMTP 250 reply) or the Message-ID header, with or without angle brackets; optional when another criterion is given.")
    String query;
    @Option(names = "--from", paramLabel = "TEXT", description = "A fragment of the sender (envelope sender, From:, Sender:).")
    String from;
    @Option(names = "--to", paramLabel = "TEXT", description = "A fragment of a recipient (envelope, To:, Cc:, Delivered-To:).")
    String to;
    @Option(names = "--subject", paramLabel = "TEXT", description = "A fragment of the subject.")
    String subject;
    @Option(names = "--since", paramLabel = "TIME", description = "Arrived (or last changed) at or after TIME: "
            + "2026-12-05T03:00:00Z, 2026-12-05T03:00, 2026-12-05, or an age such as 2h or 3d.")
    String since;
    @Option(names = "--until", paramLabel = "TIME", description = "Arrived before TIME (same forms as --since).")
    String until;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N messages from the folders and mailboxes, and N from the "
            + "tracking log (default ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = "--json", description = "Print JSON lines: the tracking-log lines as they are, and one "
            + "\"event\":\"found\" line per place a message is in.")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SearchQuery q;
        try {
            q = new SearchQuery(query, from, to, subject, SearchQuery.time(since, Instant.now()), SearchQuery.time(until, Instant.now()));
        } catch (IllegalArgumentException e) {
            CommandOutput.error(err, e.getMessage());
            return 2;
        }
        if (q.isEmpty() || limit < 1) {
            CommandOutput.error(err, q.isEmpty() ? "give a message id or a Message-ID, or --from, --to, --subject, --since or --until"
                    : "--limit must be at least 1");
            return 2;
        }
        Home home = options.home();
        CommandOutput.quietLogging(home);
        Map<String, List<JsonNode>> byId = new LinkedHashMap<>();
        TrackingLog.Found tracked = new TrackingLog(home.logs()).find(q, limit);
        for (TrackingLog.Tracked t : tracked.messages()) {
            byId.put(t.id(), new ArrayList<>(t.lines()));
        }
        String live = live(home, q);
        if (live == null) {
            err.println("mailroot: server not running: messages still in its spool are not shown");
        } else {
            for (String line : live.split("\n")) {
                JsonNode n = parse(line);
                if (n != null) {
                    byId.computeIfAbsent(n.path("id").asText(), k -> new ArrayList<>()).add(n);
                }
            }
        }
        MessageSearch.Result places = new MessageSearch(home).places(q, limit);
        for (MessageSearch.Hit h : places.hits()) {
            byId.computeIfAbsent(h.id(), k -> new ArrayList<>()).add(found(h));
        }
        places.notes().forEach(n -> err.println("mailroot: " + ControlCharacters.escape(n)));
        if (byId.isEmpty()) {
            CommandOutput.error(err, "no message " + describe(q) + " in the tracking log" + (live == null ? "" : " or the spool")
                    + " of " + home.root() + ", nor in its folders and mailboxes");
            return 1;
        }
        print(out, byId);
        out.flush();
        if (tracked.more() || places.more()) {
            err.println("mailroot: more messages match than are shown (at most " + limit + " from the folders, " + limit
                    + " from the tracking log); narrow the search "
                    + "(--since, --until, --from, --to, --subject) or raise --limit");
        }
        return 0;
    }

    private static String describe(SearchQuery q) {
        if (q.id() != null && q.from() == null && q.to() == null && q.subject() == null && q.since() == null && q.until() == null) {
            return "'" + ControlCharacters.escape(q.id()) + "'";
        }
        return "matching " + ControlCharacters.escape(q.toQueryString().replace("&", " "));
    }

    /** A place a message is in, as a tracking-style line ({@code "event":"found"}). */
    private static JsonNode found(MessageSearch.Hit h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", h.time() == null ? "" : h.time().toString());
        n.put("id", h.id());
        n.put("event", "found");
        n.put("place", h.place());
        if (h.file() != null) {
            n.put("file", h.file().toString());
        }
        if (h.from() != null) {
            n.put("from", h.from());
        }
        n.put("to", String.join(",", h.to()));
        if (h.subject() != null) {
            n.put("subject", h.subject());
        }
        if (h.messageId() != null) {
            n.put("messageId", h.messageId());
        }
        if (h.detail() != null) {
            n.put("detail", h.detail());
        }
        return n;
    }

    private void print(PrintWriter out, Map<String, List<JsonNode>> byId) {
        if (json) {
            byId.values().forEach(lines -> lines.forEach(n -> out.println(n.toString())));
            return;
        }
        for (Map.Entry<String, List<JsonNode>> m : byId.entrySet()) {
            out.println("message " + ControlCharacters.escape(m.getKey()));
            for (JsonNode n : m.getValue()) {
                String event = n.path("event").asText();
                StringBuilder sb = new StringBuilder("  ").append(n.path("time").asText()).append("  ")
                        .append(String.format("%-10s", event));
                String fields = dev.mailroot.server.tracking.TrackingLog.fields(n);
                sb.append(fields.isEmpty() ? "" : " " + fields);
                out.println(ControlCharacters.escape(sb.toString()));
            }
        }
    }

    private static JsonNode parse(String line) {
        try {
            return line.isBlank() ? null : JSON.readTree(line);
        } catch (IOException e) {
            return null; // a line cut short by a crash
        }
    }

    /** The spool's lines for {@code q} from the running server; null if it does not run. */
    private static String live(Home home, SearchQuery q) {
        try {
            AdminClient admin = AdminClient.of(home.root()).timeout(Duration.ofSeconds(10));
            AdminClient.Response r = admin.get("/trace?" + q.toQueryString());
            return r.ok() ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
