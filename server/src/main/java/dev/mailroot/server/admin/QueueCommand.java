package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.outbound.QueueView;
import dev.mailroot.server.spool.Spool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code mailroot queue list|show|flush|hold|release|delete|stats}: Postfix's {@code mailq},
 * {@code postqueue -f}, {@code postsuper -h/-H/-d} and {@code qshape} for Mailroot's spool. The
 * actions go to the running server ({@code POST /queue/<action>}); list, show and stats read the
 * running server's view, or the spool itself when the server is stopped (read-only).
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Shows and manages the messages waiting in the spool: remote recipients in the outbound queue "
                + "(queued, deferred with their last error and next attempt, held) and messages waiting for local delivery.",
        subcommands = {QueueCommand.ListCmd.class, QueueCommand.Show.class, QueueCommand.Flush.class, QueueCommand.Hold.class,
                QueueCommand.Release.class, QueueCommand.Delete.class, QueueCommand.Stats.class},
        footer = {"", "Examples:", "  bin/mailroot queue list --older-than 1h", "  bin/mailroot queue flush --domain example.org",
                "  bin/mailroot queue delete 0HNV3Q9MKGT0Q   # into badmail: nothing vanishes"})
public final class QueueCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The messages: from the running server, or read from the spool when it is stopped (saying so on {@code err}). */
    static List<JsonNode> snapshot(Home home, PrintWriter err) throws IOException {
        CommandOutput.quietLogging(home);
        String body = null;
        try {
            AdminClient admin = AdminClient.of(home.root()).timeout(Duration.ofSeconds(30));
            AdminClient.Response r = admin.get("/queue");
            if (!r.ok()) {
                throw new IOException("the server answered " + r.status() + ": " + r.body().strip());
            }
            body = r.body();
        } catch (AdminClient.NotRunningException e) {
            body = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        boolean offline = body == null;
        if (offline) {
            err.println("mailroot: server not running: the spool in " + home.queue() + " as it was left (read-only)");
            err.flush();
            body = QueueView.lines(Spool.readOnly(home.queue()), Instant.now());
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    static int action(Home home, CommandSpec spec, String action, Map<String, String> params) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandOutput.quietLogging(home);
        try {
            AdminClient admin = AdminClient.of(home.root()).timeout(Duration.ofSeconds(60));
            AdminClient.Response r = admin.post("/queue/" + action, params);
            if (r.ok()) {
                CommandOutput.report(out, r.body());
                return 0;
            }
            CommandOutput.error(err, r.body());
            return 1;
        } catch (AdminClient.NotRunningException e) {
            CommandOutput.error(err, e.getMessage() + "; queue " + action + " needs the running server (start it, or "
                    + "look with 'queue list', which reads a stopped server's spool)");
            return 1;
        } catch (IOException e) {
            CommandOutput.error(err, e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    static String id(String id, PrintWriter err) {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            CommandOutput.error(err, "'" + ControlCharacters.escape(String.valueOf(id)) + "' is not a message id");
            return null;
        }
        return id;
    }

    static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h" + (seconds % 3600) / 60 + "m";
        }
        return seconds / 86400 + "d" + (seconds % 86400) / 3600 + "h";
    }

    static String size(long bytes) {
        return bytes < 1024 ? bytes + " B" : bytes < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1024.0 / 1024.0);
    }

    static void print(PrintWriter out, JsonNode m, boolean details) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %9s %7s  <%s>", m.path("id").asText(), size(m.path("size").asLong()),
                age(m.path("ageSeconds").asLong()), m.path("sender").asText()));
        if (m.hasNonNull("messageId")) {
            sb.append("  ").append(m.path("messageId").asText());
        }
        out.println(ControlCharacters.escape(sb.toString()));
        if (details) {
            line(out, "  arrived " + m.path("arrival").asText() + (m.hasNonNull("authUser") ? ", sent by authenticated user "
                    + m.path("authUser").asText() : ""));
        }
        for (JsonNode r : m.path("recipients")) {
            StringBuilder rl = new StringBuilder("    ").append(r.path("address").asText()).append("  ").append(r.path("state").asText());
            int attempts = r.path("attempts").asInt();
            if (attempts > 0) {
                rl.append(", ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
            }
            if (r.hasNonNull("nextAttempt") && !"held".equals(r.path("state").asText())) {
                rl.append(", next ").append(r.path("nextAttempt").asText());
            }
            if (r.hasNonNull("lastReply")) {
                rl.append(", last: ").append(r.path("lastReply").asText());
                if (r.hasNonNull("lastHost")) {
                    rl.append(" (").append(r.path("lastHost").asText()).append(')');
                }
            }
            line(out, rl.toString());
        }
    }

    private static void line(PrintWriter out, String s) {
        out.println(ControlCharacters.escape(s));
    }

    static boolean about(JsonNode m, String domain) {
        for (JsonNode r : m.path("recipients")) {
            if (r.path("destination").asText().equalsIgnoreCase(domain)) {
                return true;
            }
        }
        return false;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the queued messages, oldest first "
            + "(like mailq): id, size, age, sender, Message-ID, then each recipient's state, attempts, next attempt and last error.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Option(names = "--json", description = "One JSON object per message.")
        boolean json;
        @Option(names = "--domain", paramLabel = "D", description = "Only messages with a recipient of this destination domain.")
        String domain;
        @Option(names = "--older-than", paramLabel = "AGE", description = "Only messages older than AGE (90s, 15m, 2h, 3d).")
        String olderThan;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Duration older;
            try {
                older = olderThan == null ? Duration.ZERO : MailrootConfig.Outbound.duration(olderThan);
            } catch (IllegalArgumentException e) {
                CommandOutput.error(err, e.getMessage());
                return 2;
            }
            List<JsonNode> s = snapshot(options.home(), err);
            int messages = 0;
            int recipients = 0;
            for (JsonNode m : s) {
                if (domain != null && !about(m, domain) || m.path("ageSeconds").asLong() < older.toSeconds()) {
                    continue;
                }
                messages++;
                recipients += m.path("recipients").size();
                if (json) {
                    out.println(m.toString());
                } else {
                    print(out, m, false);
                }
            }
            if (!json) {
                out.println(messages == 0 ? "mailroot: the queue is empty" + (domain != null || olderThan != null ? " (for this filter)" : "")
                        : "-- " + messages + " message(s), " + recipients + " recipient(s)");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one queued message: envelope, every "
            + "recipient's state and last error. Exit 1 if it is not in the spool.")
    static final class Show implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--json")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (id(id, err) == null) {
                return 2;
            }
            for (JsonNode m : snapshot(options.home(), err)) {
                if (m.path("id").asText().equalsIgnoreCase(id)) {
                    if (json) {
                        out.println(m.toString());
                    } else {
                        print(out, m, true);
                        out.println("  (bin/mailroot trace " + m.path("id").asText() + " shows its whole journey)");
                    }
                    out.flush();
                    return 0;
                }
            }
            CommandOutput.error(err, "no message " + id + " in the queue (bin/mailroot trace " + id + " says where it went)");
            return 1;
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true, description = "Makes queued recipients due now: of one "
            + "message, of one destination domain, or (no argument) all (postqueue -f).")
    static final class Flush implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Parameters(paramLabel = "ID", arity = "0..1")
        String id;
        @Option(names = "--domain", paramLabel = "D")
        String domain;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, String> p = new LinkedHashMap<>();
            if (id != null) {
                if (id(id, spec.commandLine().getErr()) == null) {
                    return 2;
                }
                p.put("id", id);
            }
            if (domain != null) {
                p.put("domain", domain);
            }
            return action(options.home(), spec, "flush", p);
        }
    }

    /** An action on one message by its id: the verb is the subclass's command name. */
    abstract static class OnOneMessage implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Parameters(paramLabel = "ID")
        String id;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return id(id, spec.commandLine().getErr()) == null ? 2
                    : action(options.home(), spec, spec.name(), Map.of("id", id));
        }
    }

    @Command(name = "hold", mixinStandardHelpOptions = true, description = "Holds a message: none of its recipients is "
            + "sent until it is released (postsuper -h).")
    static final class Hold extends OnOneMessage {
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Releases a held message: due now (postsuper -H).")
    static final class Release extends OnOneMessage {
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Takes a message out of the outbound queue "
            + "into badmail with the reason 'deleted by administrator' (postsuper -d, but nothing vanishes).")
    static final class Delete extends OnOneMessage {
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Counts recipients per destination by age and "
            + "state, like Postfix's qshape: where mail piles up, and since when.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Option(names = "--json")
        boolean json;
        @Spec
        CommandSpec spec;

        /** Age buckets in minutes (qshape's): up to 5, 10, 20, 40, 80, 160, 320, 640, 1280, more. */
        static final long[] BUCKETS = {5, 10, 20, 40, 80, 160, 320, 640, 1280};

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<JsonNode> s = snapshot(options.home(), spec.commandLine().getErr());
            Map<String, long[]> byAge = new TreeMap<>();
            Map<String, Map<String, Integer>> byState = new TreeMap<>();
            for (JsonNode m : s) {
                long minutes = m.path("ageSeconds").asLong() / 60;
                int b = 0;
                while (b < BUCKETS.length && minutes >= BUCKETS[b]) {
                    b++;
                }
                for (JsonNode r : m.path("recipients")) {
                    String d = r.path("destination").asText();
                    byAge.computeIfAbsent(d, k -> new long[BUCKETS.length + 1])[b]++;
                    byState.computeIfAbsent(d, k -> new TreeMap<>()).merge(r.path("state").asText(), 1, Integer::sum);
                }
            }
            if (json) {
                var root = JSON.createObjectNode();
                for (var e : byAge.entrySet()) {
                    var d = root.putObject(e.getKey());
                    long total = 0;
                    for (long v : e.getValue()) {
                        total += v;
                    }
                    d.put("total", total);
                    byState.get(e.getKey()).forEach(d::put);
                    var ages = d.putArray("byAgeMinutes");
                    for (long v : e.getValue()) {
                        ages.add(v);
                    }
                }
                out.println(root.toString());
                out.flush();
                return 0;
            }
            StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-28s %6s", "destination", "total"));
            for (long b : BUCKETS) {
                h.append(String.format(Locale.ROOT, " %5s", b + "m"));
            }
            h.append(String.format(Locale.ROOT, " %5s  %s", "more", "states"));
            out.println(h);
            long[] totals = new long[BUCKETS.length + 1];
            for (var e : byAge.entrySet()) {
                long total = 0;
                StringBuilder row = new StringBuilder();
                for (int i = 0; i < e.getValue().length; i++) {
                    total += e.getValue()[i];
                    totals[i] += e.getValue()[i];
                    row.append(String.format(Locale.ROOT, " %5d", e.getValue()[i]));
                }
                List<String> states = new ArrayList<>();
                byState.get(e.getKey()).forEach((k, v) -> states.add(k + "=" + v));
                line(out, String.format(Locale.ROOT, "%-28s %6d", e.getKey(), total) + row + "  " + String.join(" ", states));
            }
            long all = 0;
            StringBuilder row = new StringBuilder();
            for (long t : totals) {
                all += t;
                row.append(String.format(Locale.ROOT, " %5d", t));
            }
            out.println(String.format(Locale.ROOT, "%-28s %6d", "TOTAL", all) + row);
            out.println("(columns: recipients by message age, up to N minutes)");
            out.flush();
            return 0;
        }
    }
}
