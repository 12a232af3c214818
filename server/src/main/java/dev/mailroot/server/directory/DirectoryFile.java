package dev.mailroot.server.directory;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mailroot.host.files.LockedTextFile;
import dev.mailroot.host.message.MessageRules;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.config.KeyLocations;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * {@code conf/mailboxes.yaml}, the mailbox directory: read (every problem found, with its line),
 * written (under a lock, atomically, never something that would not read back) and watched by
 * {@link #stamp()}. Its presence switches the server from "every local part is a mailbox"
 * ({@code mailboxes.autoCreate}) to "only what the directory names".
 *
 * <pre>
 * mailboxes:
 *   carol:
 *     displayName: Carol Smith
 *     aliases: [c.smith, carol@other.example]
 *     quota: {size: 200000 KB, messages: 10000, warnPercent: 90}
 *     forwardTo: [bob, carol@home.example]
 *     keepCopy: true
 * groups:
 *   sales: [carol, bob]
 * catchAll:
 *   example.com: carol
 * </pre>
 */
public final class DirectoryFile {
    private static final String HEADER = """
            # Mailroot mailbox directory: mailboxes, aliases, quotas, forwarding, groups, catch-alls.
            # Edit it with `bin/mailroot mailbox` (or by hand); the running server reloads it within 2 s.
            # docs/mailboxes.md describes every key.
            """;
    private static final Set<String> MAILBOX_KEYS = Set.of("displayName", "domains", "aliases", "quota", "forwardTo",
            "keepCopy", "enabled", "password", "sendAs");
    private static final Set<String> QUOTA_KEYS = Set.of("size", "messages", "warnPercent");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private final LockedTextFile file;
    private final List<String> localDomains;
    private final ObjectMapper yaml = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    /** What is wrong with the file: every problem, each with its line where known. */
    public static final class DirectoryException extends Exception {
        private final List<String> problems;

        DirectoryException(Path file, List<String> problems) {
            super(file + ": " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    public DirectoryFile(Path file, List<String> localDomains) {
        this.file = new LockedTextFile(file);
        this.localDomains = localDomains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    }

    public Path path() {
        return file.file();
    }

    /** The directory; empty if the file does not exist (then every local part is a mailbox, as configured). */
    public Optional<Directory> read() throws DirectoryException, IOException {
        Optional<String> text = file.read();
        return text.isEmpty() ? Optional.empty() : Optional.of(parse(text.get()));
    }

    /** Whether the file exists now. */
    public boolean exists() {
        return file.stamp() != null;
    }

    /** What identifies the file's version, for polling; null if it does not exist. */
    public Object stamp() {
        return file.stamp();
    }

    /**
     * Applies {@code change} to the directory (an empty one if the file does not exist yet) and writes
     * it, under the lock; nothing is written if the result has a problem.
     */
    public Directory update(UnaryOperator<Directory> change) throws DirectoryException, IOException {
        Directory[] out = new Directory[1];
        file.update(current -> {
            Directory d = current.isEmpty() ? Directory.empty(localDomains) : parse(current.get());
            Directory next = change.apply(d);
            String text = format(next);
            out[0] = parse(text); // never write what could not be read back
            return text;
        });
        return out[0];
    }

    /** Parses and checks {@code text}. */
    public Directory parse(String text) throws DirectoryException {
        List<String> problems = new ArrayList<>();
        KeyLocations lines = KeyLocations.of(text);
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new DirectoryException(path(), List.of("not valid YAML" + where + ": "
                    + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("")));
        }
        Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> catchAll = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new DirectoryException(path(), List.of("expected the keys mailboxes, groups, catchAll at the top"));
            }
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("mailboxes", "groups", "catchAll").contains(k)) {
                    problems.add("unknown key '" + k + "'" + lines.describe(k) + " (known: mailboxes, groups, catchAll)");
                }
            }
            JsonNode mb = root.path("mailboxes");
            if (!mb.isMissingNode() && !mb.isNull()) {
                if (!mb.isObject()) {
                    problems.add("mailboxes" + lines.describe("mailboxes") + ": expected mailbox names with their settings");
                } else {
                    mb.fields().forEachRemaining(e -> mailbox(e.getKey(), e.getValue(), lines, problems)
                            .ifPresent(m -> mailboxes.put(m.name(), m)));
                }
            }
            JsonNode gr = root.path("groups");
            if (!gr.isMissingNode() && !gr.isNull()) {
                if (!gr.isObject()) {
                    problems.add("groups" + lines.describe("groups") + ": expected group names with their members");
                } else {
                    gr.fields().forEachRemaining(e -> group(e.getKey(), e.getValue(), lines, problems)
                            .ifPresent(members -> groups.put(e.getKey().toLowerCase(Locale.ROOT), members)));
                }
            }
            JsonNode ca = root.path("catchAll");
            if (!ca.isMissingNode() && !ca.isNull()) {
                if (!ca.isObject()) {
                    problems.add("catchAll" + lines.describe("catchAll") + ": expected domain: mailbox");
                } else {
                    ca.fields().forEachRemaining(e -> {
                        String where = "catchAll." + e.getKey() + lines.describe("catchAll." + e.getKey());
                        if (!localDomains.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                            problems.add(where + ": '" + e.getKey() + "' is not a local domain " + localDomains);
                        } else if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                            problems.add(where + ": expected a mailbox or group name");
                        } else {
                            catchAll.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText().strip().toLowerCase(Locale.ROOT));
                        }
                    });
                }
            }
        }
        Directory d = new Directory(mailboxes, groups, catchAll, localDomains);
        crossCheck(d, lines, problems);
        if (!problems.isEmpty()) {
            throw new DirectoryException(path(), problems);
        }
        return d;
    }

    private Optional<Mailbox> mailbox(String rawName, JsonNode n, KeyLocations lines, List<String> problems) {
        String key = "mailboxes." + rawName;
        String where = key + lines.describe(key);
        String name = rawName.toLowerCase(Locale.ROOT);
        int before = problems.size();
        if (!LocalRecipients.isSafeMailboxName(name)) {
            problems.add(where + ": '" + printable(rawName) + "' cannot be a mailbox name (a dot-atom local part of at most "
                    + "64 characters; it is also its folder's name)");
        }
        if (n != null && !n.isNull() && !n.isObject()) {
            problems.add(where + ": expected the mailbox's settings (or nothing)");
            return Optional.empty();
        }
        JsonNode s = n == null || n.isNull() ? yaml.createObjectNode() : n;
        s.fieldNames().forEachRemaining(k -> {
            if (!MAILBOX_KEYS.contains(k)) {
                problems.add(where + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(MAILBOX_KEYS)) + ")");
            }
        });
        String display = text(s, "displayName", where, problems);
        List<String> domains = list(s, "domains", where, problems);
        for (String dom : domains) {
            if (!localDomains.contains(dom.toLowerCase(Locale.ROOT))) {
                problems.add(where + ": domains: '" + dom + "' is not a local domain " + localDomains);
            }
        }
        List<String> aliases = list(s, "aliases", where, problems);
        for (String a : aliases) {
            checkLocalAddress(a, where + ": alias", problems);
        }
        List<String> forward = list(s, "forwardTo", where, problems);
        for (String f : forward) {
            try {
                MessageRules.checkAddress(f);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": forwardTo '" + printable(f) + "': " + e.getMessage());
            }
        }
        boolean keepCopy = bool(s, "keepCopy", false, where, problems);
        boolean enabled = bool(s, "enabled", true, where, problems);
        String password = text(s, "password", where, problems);
        if (password != null && !BCRYPT.matcher(password).matches()) {
            problems.add(where + ": password must be a bcrypt hash ($2a$/$2b$/$2y$, 60 characters), never the password "
                    + "itself; set it with `bin/mailroot mailbox passwd " + name + "`");
        }
        Quota quota = quota(s.get("quota"), where, problems);
        List<String> sendAs = list(s, "sendAs", where, problems);
        for (String a : sendAs) {
            String full = a.startsWith("@") ? "x" + a : a;
            try {
                MessageRules.checkAddress(full);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": sendAs '" + printable(a) + "': an address, or @domain for every address there: "
                        + e.getMessage());
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Mailbox(name, display, domains.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList(),
                aliases.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList(), quota, forward, keepCopy, enabled, password,
                sendAs.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList()));
    }

    private Optional<List<String>> group(String rawName, JsonNode n, KeyLocations lines, List<String> problems) {
        String where = "groups." + rawName + lines.describe("groups." + rawName);
        int before = problems.size();
        checkLocalAddress(rawName, where + ": name", problems);
        if (n == null || !n.isArray() || n.isEmpty()) {
            problems.add(where + ": expected a list of members (mailbox names or addresses)");
            return Optional.empty();
        }
        List<String> members = new ArrayList<>();
        for (JsonNode m : n) {
            String v = m.asText("").strip();
            try {
                MessageRules.checkAddress(v.indexOf('@') < 0 ? v + "@x.invalid" : v);
                members.add(v.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(where + ": member '" + printable(v) + "': " + e.getMessage());
            }
        }
        return problems.size() > before ? Optional.empty() : Optional.of(members);
    }

    private void checkLocalAddress(String a, String what, List<String> problems) {
        String v = a.toLowerCase(Locale.ROOT);
        int at = v.lastIndexOf('@');
        String local = at < 0 ? v : v.substring(0, at);
        if (!LocalRecipients.isSafeMailboxName(local)) {
            problems.add(what + " '" + printable(a) + "' is not a valid local part");
        } else if (at >= 0 && !localDomains.contains(v.substring(at + 1))) {
            problems.add(what + " '" + printable(a) + "' is not in a local domain " + localDomains);
        }
    }

    private void crossCheck(Directory d, KeyLocations lines, List<String> problems) {
        Map<String, String> owner = new HashMap<>();
        for (Mailbox m : d.mailboxes().values()) {
            for (String a : d.addressesOf(m)) {
                String prev = owner.putIfAbsent(a.toLowerCase(Locale.ROOT), "mailbox " + m.name());
                if (prev != null && !prev.equals("mailbox " + m.name())) {
                    problems.add("mailboxes." + m.name() + lines.describe("mailboxes." + m.name()) + ": the address " + a
                            + " is also " + prev + "'s");
                }
            }
        }
        for (String g : d.groups().keySet()) {
            if (d.mailboxes().containsKey(g)) {
                problems.add("groups." + g + lines.describe("groups." + g) + ": '" + g + "' is also a mailbox");
            }
        }
        for (Map.Entry<String, String> c : d.catchAll().entrySet()) {
            if (!d.mailboxes().containsKey(c.getValue()) && !d.groups().containsKey(c.getValue())) {
                problems.add("catchAll." + c.getKey() + lines.describe("catchAll." + c.getKey()) + ": '" + c.getValue()
                        + "' is no mailbox or group of the directory");
            }
        }
    }

    private static Quota quota(JsonNode q, String where, List<String> problems) {
        if (q == null || q.isNull()) {
            return Quota.NONE;
        }
        if (!q.isObject()) {
            problems.add(where + ": quota: expected {size: 200000 KB, messages: 10000, warnPercent: 90}");
            return Quota.NONE;
        }
        q.fieldNames().forEachRemaining(k -> {
            if (!QUOTA_KEYS.contains(k)) {
                problems.add(where + ": quota: unknown key '" + k + "' (known: size, messages, warnPercent)");
            }
        });
        try {
            long size = q.hasNonNull("size") ? Sizes.parse(q.get("size").asText()) : 0;
            long messages = q.hasNonNull("messages") ? Long.parseLong(q.get("messages").asText().strip()) : 0;
            int warn = q.hasNonNull("warnPercent") ? Integer.parseInt(q.get("warnPercent").asText().strip()) : 90;
            return new Quota(size, messages, warn);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": quota: " + e.getMessage());
            return Quota.NONE;
        }
    }

    private static String text(JsonNode s, String key, String where, List<String> problems) {
        JsonNode v = s.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            problems.add(where + ": " + key + ": expected text");
            return null;
        }
        String t = v.asText();
        if (t.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            problems.add(where + ": " + key + ": contains a control character");
            return null;
        }
        return t;
    }

    private static List<String> list(JsonNode s, String key, String where, List<String> problems) {
        JsonNode v = s.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v.isValueNode()) {
            out.add(v.asText().strip());
        } else if (v.isArray()) {
            v.forEach(x -> out.add(x.asText().strip()));
        } else {
            problems.add(where + ": " + key + ": expected a list");
        }
        return out;
    }

    private static boolean bool(JsonNode s, String key, boolean dflt, String where, List<String> problems) {
        JsonNode v = s.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        problems.add(where + ": " + key + ": expected true or false");
        return dflt;
    }

    private static String printable(String s) {
        return dev.mailroot.bindings.ControlCharacters.escape(s);
    }

    /** The directory as the file's text (header comment first). */
    public String format(Directory d) {
        ObjectNode root = yaml.createObjectNode();
        ObjectNode mb = root.putObject("mailboxes");
        for (Mailbox m : d.mailboxes().values()) {
            ObjectNode n = mb.putObject(m.name());
            if (m.displayName() != null) {
                n.put("displayName", m.displayName());
            }
            if (!m.domains().isEmpty()) {
                strings(n.putArray("domains"), m.domains());
            }
            if (!m.aliases().isEmpty()) {
                strings(n.putArray("aliases"), m.aliases());
            }
            if (m.quota().limited()) {
                ObjectNode q = n.putObject("quota");
                if (m.quota().maxBytes() > 0) {
                    q.put("size", m.quota().maxBytes());
                }
                if (m.quota().maxMessages() > 0) {
                    q.put("messages", m.quota().maxMessages());
                }
                q.put("warnPercent", m.quota().warnPercent());
            }
            if (m.forwards()) {
                strings(n.putArray("forwardTo"), m.forwardTo());
                n.put("keepCopy", m.keepCopy());
            }
            if (!m.enabled()) {
                n.put("enabled", false);
            }
            if (m.passwordHash() != null) {
                n.put("password", m.passwordHash());
            }
            if (!m.sendAs().isEmpty()) {
                strings(n.putArray("sendAs"), m.sendAs());
            }
        }
        if (!d.groups().isEmpty()) {
            ObjectNode g = root.putObject("groups");
            d.groups().forEach((k, v) -> strings(g.putArray(k), v));
        }
        if (!d.catchAll().isEmpty()) {
            ObjectNode c = root.putObject("catchAll");
            d.catchAll().forEach(c::put);
        }
        try {
            return HEADER + yaml.writeValueAsString(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    /** The directory with {@code m} added or replaced. */
    public static Directory with(Directory d, Mailbox m) {
        Map<String, Mailbox> mbs = new LinkedHashMap<>(d.mailboxes());
        mbs.put(m.name(), m);
        return new Directory(mbs, d.groups(), d.catchAll(), d.localDomains());
    }

    /** The directory without mailbox {@code name} (and without it in groups and catch-alls). */
    public static Directory without(Directory d, String name) {
        Map<String, Mailbox> mbs = new LinkedHashMap<>(d.mailboxes());
        mbs.remove(name);
        Map<String, List<String>> groups = new LinkedHashMap<>();
        d.groups().forEach((g, members) -> {
            List<String> left = members.stream().filter(x -> !x.equals(name)).toList();
            if (!left.isEmpty()) {
                groups.put(g, left);
            }
        });
        Map<String, String> catchAll = new LinkedHashMap<>(d.catchAll());
        catchAll.values().removeIf(name::equals);
        return new Directory(mbs, groups, catchAll, d.localDomains());
    }

    /** The directory with group {@code name} set to {@code members} (removed when empty). */
    public static Directory withGroup(Directory d, String name, List<String> members) {
        Map<String, List<String>> groups = new LinkedHashMap<>(d.groups());
        if (members.isEmpty()) {
            groups.remove(name);
        } else {
            groups.put(name, List.copyOf(members));
        }
        return new Directory(d.mailboxes(), groups, d.catchAll(), d.localDomains());
    }

    /** The directory with {@code domain}'s catch-all set to {@code target} (removed when null). */
    public static Directory withCatchAll(Directory d, String domain, String target) {
        Map<String, String> catchAll = new LinkedHashMap<>(d.catchAll());
        if (target == null) {
            catchAll.remove(domain);
        } else {
            catchAll.put(domain, target);
        }
        return new Directory(d.mailboxes(), d.groups(), catchAll, d.localDomains());
    }
}
