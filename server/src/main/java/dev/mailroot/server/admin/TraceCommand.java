package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.tracking.TraceLookup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * {@code mailroot trace <id or Message-ID>}: where a message is and what happened to it, from its
 * arrival through every sink call to its delivery: the message-tracking log
 * ({@code logs/tracking*.jsonl}, the messages that left the spool) and, when the server runs, the
 * spool itself (the messages still in it, through {@code GET /trace}).
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = "Prints the trace of a message: its arrival, every sink call (binding, outcome, time, what it "
                + "changed), recipients' fates, deferrals, delivery or badmail. Exit 0 if found, 1 if not, 2 on a usage error.",
        footer = {"", "Examples:", "  bin/mailroot trace 0HNV3Q9MKGT0Q", "  bin/mailroot trace '<CAF1x@mail.example.com>' --json | jq ."})
public final class TraceCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this many lines are shown (a Message-ID many messages share, say). */
    static final int MAX_LINES = 10_000;

    @Mixin
    HomeOptions options;
    @Parameters(paramLabel = "ID|MESSAGE-ID", description = "The Mailroot message id (from a log line or an SMTP 250 reply) "
            + "or the Message-ID header, with or without angle brackets.")
    String query;
    @Option(names = "--json", description = "Print the tracking-log lines as they are (one JSON object per line).")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String q = query.strip();
        if (q.isEmpty() || q.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            CommandOutput.error(err, "give a message id or a Message-ID (no control characters)");
            return 2;
        }
        Home home = options.home();
        CommandOutput.quietLogging(home);
        List<JsonNode> lines = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        // one pass: a message's lines are written together when it leaves, its "received" line
        // first, so the line that names it comes before the others
        boolean cut = tracked(home.logs(), line -> {
            if (!line.contains(TraceLookup.bare(q)) && ids.stream().noneMatch(line::contains)) {
                return true; // cheap: most lines cannot be about this message
            }
            JsonNode n = parse(line);
            if (n == null) {
                return true;
            }
            String id = n.path("id").asText();
            if (ids.contains(id) || named(n, q)) {
                ids.add(id);
                lines.add(n);
            }
            return lines.size() < MAX_LINES;
        });
        if (cut) {
            err.println("mailroot: more than " + MAX_LINES + " lines match; the rest are not shown");
        }
        String live = live(home, q);
        if (live == null) {
            err.println("mailroot: server not running: messages still in its spool are not shown");
        } else {
            for (String line : live.split("\n")) {
                JsonNode n = parse(line);
                if (n != null) {
                    lines.add(n);
                    ids.add(n.path("id").asText());
                }
            }
        }
        if (lines.isEmpty()) {
            CommandOutput.error(err, "no message '" + ControlCharacters.escape(q) + "' in the tracking log"
                    + (live == null ? "" : " or the spool") + " of " + home.root());
            return 1;
        }
        print(out, lines);
        out.flush();
        return 0;
    }

    /** Whether line {@code n} names the message {@code q}: its id, or the Message-ID it arrived with. */
    private static boolean named(JsonNode n, String q) {
        if (n.path("id").asText().equalsIgnoreCase(q)) {
            return true;
        }
        JsonNode mid = n.get("messageId");
        return mid != null && "received".equals(n.path("event").asText())
                && TraceLookup.bare(mid.asText()).equals(TraceLookup.bare(q));
    }

    private void print(PrintWriter out, List<JsonNode> lines) {
        if (json) {
            lines.forEach(n -> out.println(n.toString()));
            return;
        }
        Map<String, List<JsonNode>> byId = new LinkedHashMap<>();
        for (JsonNode n : lines) {
            byId.computeIfAbsent(n.path("id").asText(), k -> new ArrayList<>()).add(n);
        }
        for (Map.Entry<String, List<JsonNode>> m : byId.entrySet()) {
            out.println("message " + ControlCharacters.escape(m.getKey()));
            for (JsonNode n : m.getValue()) {
                StringBuilder sb = new StringBuilder("  ").append(n.path("time").asText()).append("  ")
                        .append(String.format("%-10s", n.path("event").asText()));
                for (Iterator<Map.Entry<String, JsonNode>> f = n.fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = f.next();
                    if (!Set.of("time", "id", "event").contains(field.getKey())) {
                        sb.append(' ').append(field.getKey()).append('=').append(field.getValue().asText());
                    }
                }
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
    private static String live(Home home, String q) {
        try {
            AdminClient admin = AdminClient.of(home.root()).timeout(Duration.ofSeconds(10));
            AdminClient.Response r = admin.get("/trace?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
            return r.ok() ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Hands every line of the tracking logs, oldest file first (rotated ones are gzipped), to
     * {@code each} until it returns false; returns whether it stopped early.
     */
    private static boolean tracked(Path logs, java.util.function.Predicate<String> each) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(logs)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(logs, "tracking*.jsonl*")) {
                ds.forEach(files::add);
            }
        }
        // rotated files (tracking.<date>.<n>.jsonl.gz) sort by name; the live tracking.jsonl is last
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString().equals("tracking.jsonl"))
                .thenComparing(p -> p.getFileName().toString()));
        for (Path f : files) {
            try (InputStream raw = Files.newInputStream(f);
                 InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!each.test(line)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // an unreadable rotated file does not hide the others
            }
        }
        return false;
    }
}
