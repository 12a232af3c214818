package dev.mailroot.filters;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code conf/filters.yaml} (as the server's YAML reader hands it over: maps, lists and
 * scalars) into a {@link FiltersConfig}, or says everything that is wrong, one line per problem,
 * each naming the file and the key ({@code connection.allow[1]}).
 */
final class ConfigParser {
    static final String DNSBL_REPLY = "554 5.7.1 Service unavailable; client [{ip}] blocked using {zone}";
    static final String DENY_REPLY = "554 5.7.1 Service unavailable; client [{ip}] is not allowed to connect";
    static final String SENDER_REPLY = "550 5.1.0 Sender denied";
    static final String RECIPIENT_REPLY = "550 5.7.1 <{rcpt}>: Recipient address rejected: Access denied";
    static final String UNKNOWN_REPLY = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown";
    static final String SPAM_REPLY = "550 5.7.1 Message rejected as spam";

    /** The file's problems, one line each. */
    static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    private final String file;
    private final List<String> problems = new ArrayList<>();

    private ConfigParser(String file) {
        this.file = file;
    }

    /** @param file the file's name, for the messages */
    static FiltersConfig parse(Map<String, Object> tree, String file) throws Invalid {
        ConfigParser p = new ConfigParser(file);
        Map<String, Object> top = p.section(tree, "", "connection", "sender", "recipient", "content");
        FiltersConfig config = new FiltersConfig(p.connection(p.section(top.get("connection"), "connection", "allow",
                "deny", "denyReply", "dnsbl")), p.sender(p.section(top.get("sender"), "sender", "blocked", "blockBlank",
                "action", "reply")), p.recipient(p.section(top.get("recipient"), "recipient", "blocked", "rejectUnknown",
                "reply", "unknownReply")), p.content(p.section(top.get("content"), "content", "engine", "host", "port",
                "timeoutMs", "maxScanSize", "rejectScore", "quarantineScore", "tagScore", "reply")));
        if (!p.problems.isEmpty()) {
            throw new Invalid(p.problems);
        }
        return config;
    }

    private FiltersConfig.Connection connection(Map<String, Object> m) {
        Map<String, Object> d = section(m.get("dnsbl"), "connection.dnsbl", "zones", "resolver", "timeoutMs",
                "cacheSeconds", "cacheSize");
        List<FiltersConfig.Zone> zones = list(d.get("zones"), "connection.dnsbl.zones", this::zone);
        Optional<InetSocketAddress> resolver = Optional.empty();
        try {
            resolver = Optional.ofNullable(d.get("resolver")).map(r -> resolver(String.valueOf(r)));
        } catch (IllegalArgumentException e) {
            problem("connection.dnsbl.resolver", e.getMessage());
        }
        var dnsbl = new FiltersConfig.Dnsbl(zones, resolver, Duration.ofMillis(number(d, "connection.dnsbl", "timeoutMs", 1500, 1, 60_000)),
                Duration.ofSeconds(number(d, "connection.dnsbl", "cacheSeconds", 300, 0, 86_400)),
                (int) number(d, "connection.dnsbl", "cacheSize", 10_000, 0, 10_000_000));
        return new FiltersConfig.Connection(strings(m.get("allow"), "connection.allow", Cidr::parse),
                strings(m.get("deny"), "connection.deny", Cidr::parse), reply(m, "connection", "denyReply", DENY_REPLY, "ip"), dnsbl);
    }

    private FiltersConfig.Zone zone(Object o) {
        Map<String, Object> z = o instanceof Map<?, ?> ? section(o, "zone", "zone", "codes", "action", "reply")
                : Map.of("zone", String.valueOf(o));
        String name = String.valueOf(z.get("zone")).strip().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        if (!name.matches("([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{1,63}")) {
            throw new IllegalArgumentException("zone '" + z.get("zone") + "' is not a DNS name (zen.spamhaus.org)");
        }
        Set<String> codes = new LinkedHashSet<>();
        for (Object c : z.get("codes") instanceof List<?> l ? l : z.get("codes") == null ? List.of() : List.of(z.get("codes"))) {
            Cidr code = Cidr.parse(String.valueOf(c));
            if (code.network().length != 4 || code.prefix() != 32 || code.network()[0] != 127) {
                throw new IllegalArgumentException("zone " + name + ": code '" + c + "' is not an address in 127.0.0.0/8");
            }
            codes.add(String.valueOf(c).strip());
        }
        FiltersConfig.ZoneAction action = choice(z.get("action"), FiltersConfig.ZoneAction.class, FiltersConfig.ZoneAction.REJECT,
                "zone " + name + ": action");
        Object reply = z.get("reply");
        try {
            return new FiltersConfig.Zone(name, Set.copyOf(codes), action,
                    ReplyTemplate.parse(reply == null ? DNSBL_REPLY : String.valueOf(reply), "ip", "zone", "code", "txt"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("zone " + name + ": reply: " + e.getMessage(), e);
        }
    }

    /** {@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code 2001:db8::53}, {@code [2001:db8::53]:5353}: an address, never a name. */
    private static InetSocketAddress resolver(String text) {
        String t = text.strip();
        String host = t;
        String port = "53";
        if (t.startsWith("[") && t.indexOf(']') > 0) {
            host = t.substring(1, t.indexOf(']'));
            String rest = t.substring(t.indexOf(']') + 1);
            port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? "53" : "x";
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = t.substring(t.indexOf(':') + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not address:port (127.0.0.1:53); the port must be 1..65535");
        }
        Cidr c = Cidr.parse(host);
        if (c.prefix() != c.network().length * 8) {
            throw new IllegalArgumentException("'" + text + "' is a network, not the address of a DNS server");
        }
        return new InetSocketAddress(host, Integer.parseInt(port)); // a literal: no lookup
    }

    private FiltersConfig.Sender sender(Map<String, Object> m) {
        return new FiltersConfig.Sender(strings(m.get("blocked"), "sender.blocked", AddressPattern::parse),
                bool(m, "sender", "blockBlank", false),
                choice(m.get("action"), FiltersConfig.SenderAction.class, FiltersConfig.SenderAction.REJECT, "sender.action"),
                reply(m, "sender", "reply", SENDER_REPLY, "sender"));
    }

    private FiltersConfig.Recipient recipient(Map<String, Object> m) {
        return new FiltersConfig.Recipient(strings(m.get("blocked"), "recipient.blocked", AddressPattern::parse),
                bool(m, "recipient", "rejectUnknown", false), reply(m, "recipient", "reply", RECIPIENT_REPLY, "rcpt"),
                reply(m, "recipient", "unknownReply", UNKNOWN_REPLY, "rcpt"));
    }

    private FiltersConfig.Content content(Map<String, Object> m) {
        FiltersConfig.Engine engine = choice(m.get("engine"), FiltersConfig.Engine.class, FiltersConfig.Engine.RSPAMD, "content.engine");
        boolean spamd = engine == FiltersConfig.Engine.SPAMD;
        return new FiltersConfig.Content(engine, String.valueOf(m.getOrDefault("host", "127.0.0.1")).strip(),
                (int) number(m, "content", "port", spamd ? 783 : 11333, 1, 65535),
                Duration.ofMillis(number(m, "content", "timeoutMs", 4000, 1, 600_000)),
                number(m, "content", "maxScanSize", 1_048_576, 1, Integer.MAX_VALUE - 64),
                score(m, "rejectScore", 15.0), score(m, "quarantineScore", null), score(m, "tagScore", spamd ? 5.0 : 6.0),
                reply(m, "content", "reply", SPAM_REPLY));
    }

    // --- scalars, lists and sections, each problem recorded with its key ---

    /** A map section with only the known keys (an unknown key is reported: usually a typo). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> section(Object o, String path, String... known) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map<?, ?> m)) {
            problem(path, "expected keys (" + String.join(", ", known) + "), found '" + o + "'");
            return Map.of();
        }
        for (Object k : m.keySet()) {
            if (!List.of(known).contains(String.valueOf(k))) {
                problem(path.isEmpty() ? String.valueOf(k) : path + "." + k, "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
        return (Map<String, Object>) m;
    }

    private <T> List<T> list(Object o, String path, Function<Object, T> item) {
        List<T> out = new ArrayList<>();
        List<?> items = o == null ? List.of() : o instanceof List<?> l ? l : List.of(o);
        for (int i = 0; i < items.size(); i++) {
            try {
                out.add(item.apply(items.get(i)));
            } catch (IllegalArgumentException e) {
                problem(path + "[" + i + "]", e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private <T> List<T> strings(Object o, String path, Function<String, T> item) {
        return list(o, path, x -> item.apply(String.valueOf(x)));
    }

    private long number(Map<String, Object> m, String path, String key, long dflt, long min, long max) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        String s = String.valueOf(v).strip();
        if (!s.matches("\\d{1,12}") || Long.parseLong(s) < min || Long.parseLong(s) > max) {
            problem(path + "." + key, "'" + v + "' is not a whole number in " + min + ".." + max);
            return dflt;
        }
        return Long.parseLong(s);
    }

    private OptionalDouble score(Map<String, Object> m, String key, Double dflt) {
        if (!m.containsKey(key)) {
            return dflt == null ? OptionalDouble.empty() : OptionalDouble.of(dflt);
        }
        Object v = m.get(key);
        // YAML reads an unquoted off as false
        if (v == null || Boolean.FALSE.equals(v) || String.valueOf(v).strip().equalsIgnoreCase("off")) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(String.valueOf(v).strip()));
        } catch (NumberFormatException e) {
            problem("content." + key, "'" + v + "' is not a score (a number, or off)");
            return OptionalDouble.empty();
        }
    }

    private boolean bool(Map<String, Object> m, String path, String key, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            problem(path + "." + key, "'" + v + "' is not true or false");
            return dflt;
        }
        return Boolean.parseBoolean(s);
    }

    private <E extends Enum<E>> E choice(Object v, Class<E> type, E dflt, String path) {
        if (v == null) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, String.valueOf(v).strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> known = java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
            String msg = "unknown " + path.substring(path.lastIndexOf(' ') + 1).replaceAll(".*\\.", "") + " '" + v
                    + "' (known: " + String.join(", ", known) + ")";
            problem(path, msg);
            return dflt;
        }
    }

    private ReplyTemplate reply(Map<String, Object> m, String path, String key, String dflt, String... placeholders) {
        Object v = m.get(key);
        try {
            return ReplyTemplate.parse(v == null ? dflt : String.valueOf(v), placeholders);
        } catch (IllegalArgumentException e) {
            problem(path + "." + key, e.getMessage());
            return ReplyTemplate.parse(dflt, placeholders);
        }
    }

    private void problem(String path, String what) {
        problems.add(file + ": " + path + ": " + what);
    }
}
