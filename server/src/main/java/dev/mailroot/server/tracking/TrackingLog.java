package dev.mailroot.server.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads the message-tracking log ({@code logs/tracking*.jsonl}, rotated files gzipped) for the
 * messages a {@link SearchQuery} names: a message matches by its id, or by its {@code received}
 * line (Message-ID, sender, recipients, subject, arrival time), and then all its lines are kept.
 */
public final class TrackingLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path logs;

    public TrackingLog(Path logs) {
        this.logs = logs;
    }

    /** A message found in the log: its lines in order, from the file they are in. */
    public record Tracked(String id, List<JsonNode> lines, Path file) {
        /** The message as a search hit: arrival, envelope and subject from its {@code received} line, its last event. */
        public MessageSearch.Hit hit() {
            JsonNode received = lines.stream().filter(n -> "received".equals(n.path("event").asText())).findFirst()
                    .orElse(lines.get(0));
            JsonNode last = lines.get(lines.size() - 1);
            String to = received.path("to").asText("");
            return new MessageSearch.Hit("log", id, file, time(received), received.path("from").asText(null),
                    to.isEmpty() ? List.of() : Arrays.asList(to.split(",")), received.path("subject").asText(null),
                    received.path("messageId").asText(null), describe(last));
        }
    }

    /** The messages found, and whether more matched than were kept. */
    public record Found(List<Tracked> messages, boolean more) {
    }

    /** The messages {@code q} names, at most {@code max} of them (the first ones in the log). */
    public Found find(SearchQuery q, int max) throws IOException {
        Map<String, Tracked> found = new LinkedHashMap<>();
        boolean[] more = {false};
        for (Path f : files()) {
            each(f, line -> {
                String id = idOf(line);
                if (id == null) {
                    return;
                }
                Tracked t = found.get(id);
                if (t == null) {
                    // cheap first: most lines cannot be about this message
                    boolean received = line.contains("\"event\":\"received\"");
                    if (!received && !q.namesId(id) || q.id() != null && !q.namesId(id)
                            && !line.contains(TraceLookup.bare(q.id()))) {
                        return;
                    }
                    JsonNode n = parse(line);
                    if (n == null || !named(n, q)) {
                        return;
                    }
                    if (found.size() >= max) {
                        more[0] = true;
                        return;
                    }
                    t = new Tracked(id, new ArrayList<>(), f);
                    found.put(id, t);
                    t.lines().add(n);
                } else {
                    JsonNode n = parse(line);
                    if (n != null) {
                        t.lines().add(n);
                    }
                }
            });
        }
        return new Found(List.copyOf(found.values()), more[0]);
    }

    /** Whether line {@code n} names a message {@code q} asks for. */
    private static boolean named(JsonNode n, SearchQuery q) {
        String id = n.path("id").asText();
        if (q.namesId(id) && q.from() == null && q.to() == null && q.subject() == null && q.since() == null
                && q.until() == null) {
            return true;
        }
        if (!"received".equals(n.path("event").asText())) {
            return false;
        }
        JsonNode mid = n.get("messageId");
        if (q.id() != null && !q.namesId(id) && !(mid != null && q.namesMessageId(mid.asText()))) {
            return false;
        }
        String to = n.path("to").asText("");
        return q.matches(List.of(n.path("from").asText("")), Arrays.asList(to.split(",")),
                n.has("subject") ? n.get("subject").asText() : null, time(n));
    }

    /** The id of a tracking line without parsing it: {@code "id"} is its second field. */
    private static String idOf(String line) {
        int i = line.indexOf("\"id\":\"");
        if (i < 0) {
            return null;
        }
        int end = line.indexOf('"', i + 6);
        return end < 0 ? null : line.substring(i + 6, end);
    }

    private static Instant time(JsonNode n) {
        try {
            return Instant.parse(n.path("time").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** One event in one line: its name and fields. */
    static String describe(JsonNode n) {
        String f = fields(n);
        return n.path("event").asText() + (f.isEmpty() ? "" : " " + f);
    }

    /** The fields of a tracking line other than time, id and event, as {@code name=value ...}. */
    public static String fields(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> f = n.fields(); f.hasNext(); ) {
            Map.Entry<String, JsonNode> field = f.next();
            if (!Set.of("time", "id", "event").contains(field.getKey())) {
                sb.append(sb.length() == 0 ? "" : " ").append(field.getKey()).append('=').append(field.getValue().asText());
            }
        }
        return sb.toString();
    }

    private static JsonNode parse(String line) {
        try {
            return line.isBlank() ? null : JSON.readTree(line);
        } catch (IOException e) {
            return null; // a line cut short by a crash
        }
    }

    /** The tracking files, oldest first: rotated ones (tracking.<date>.<n>.jsonl.gz) by name, the live one last. */
    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(logs)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(logs, "tracking*.jsonl*")) {
                ds.forEach(files::add);
            }
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString().equals("tracking.jsonl"))
                .thenComparing(p -> p.getFileName().toString()));
        return files;
    }

    private static void each(Path f, java.util.function.Consumer<String> line) {
        try (InputStream raw = Files.newInputStream(f);
             InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                line.accept(l);
            }
        } catch (IOException e) {
            // an unreadable rotated file does not hide the others
        }
    }
}
