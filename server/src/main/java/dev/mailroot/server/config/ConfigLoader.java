package dev.mailroot.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the configuration: the embedded defaults, overridden key by key by the administrator's
 * file. An unknown key or a bad value is refused with one line naming the file, the key and, where
 * known, the line.
 */
public final class ConfigLoader {

    private static final Pattern DOMAIN = Pattern.compile(
            "(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    private static final Pattern IPV6_LITERAL = Pattern.compile("\\[[0-9a-fA-F:.]+\\]");

    private final ObjectMapper yaml = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    /** The embedded defaults alone. */
    public MailrootConfig defaults() {
        try {
            return validate(yaml.treeToValue(defaultsTree(), MailrootConfig.class), "defaults", KeyLocations.of(""));
        } catch (JsonProcessingException | ConfigException e) {
            throw new IllegalStateException("embedded defaults are invalid", e);
        }
    }

    /**
     * The defaults overridden by {@code file}.
     *
     * @param file     the administrator's file
     * @param required whether a missing file is an error (it is not for the default location)
     */
    public MailrootConfig load(Path file, boolean required) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new ConfigException(file + ": no such file");
            }
            return defaults();
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        KeyLocations where = KeyLocations.of(text);
        JsonNode overrides;
        try {
            overrides = yaml.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(file + syntaxLocation(e) + ": not valid YAML: " + firstLine(e.getOriginalMessage()));
        }
        ObjectNode merged = defaultsTree();
        if (overrides != null && !overrides.isMissingNode() && !overrides.isNull()) {
            if (!overrides.isObject()) {
                throw new ConfigException(file + ": expected keys such as 'smtp:' and 'domains:', found "
                        + overrides.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            merge(merged, (ObjectNode) overrides);
        }
        MailrootConfig config;
        try {
            config = yaml.treeToValue(merged, MailrootConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String key = path(e);
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(file + where.describe(key) + ": unknown key '" + key + "'"
                    + (known.isEmpty() ? "" : " (known here: " + known + ")"));
        } catch (InvalidFormatException e) {
            String key = path(e);
            throw new ConfigException(file + where.describe(key) + ": " + key + ": expected "
                    + typeName(e.getTargetType()) + ", found '" + e.getValue() + "'");
        } catch (MismatchedInputException e) {
            String key = path(e);
            throw new ConfigException(file + where.describe(key) + ": " + key + ": expected "
                    + typeName(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": " + firstLine(e.getOriginalMessage()));
        }
        return validate(config, file.toString(), where);
    }

    private ObjectNode defaultsTree() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) yaml.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read embedded defaults", e);
        }
    }

    /** Objects merge key by key; anything else (lists, scalars) replaces the default. */
    private static void merge(ObjectNode target, ObjectNode overrides) {
        Iterator<Map.Entry<String, JsonNode>> it = overrides.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = target.get(e.getKey());
            if (current instanceof ObjectNode cur && e.getValue() instanceof ObjectNode over) {
                merge(cur, over);
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private static MailrootConfig validate(MailrootConfig c, String file, KeyLocations where) throws ConfigException {
        Problems p = new Problems(file, where);
        MailrootConfig.Smtp s = c.smtp();
        p.require(s != null, "smtp", "missing");
        p.require(s.bind() != null && !s.bind().isBlank(), "smtp.bind", "must be an IP address or host name");
        try {
            InetAddress.getByName(s.bind());
        } catch (UnknownHostException e) {
            p.fail("smtp.bind", "'" + s.bind() + "' is not an address of this machine");
        }
        p.range(s.port(), 0, 65535, "smtp.port");
        String hostname = s.hostname() == null || s.hostname().isBlank() ? machineName() : s.hostname().strip();
        p.require(DOMAIN.matcher(hostname).matches(), "smtp.hostname", "'" + hostname + "' is not a host name");
        p.range(s.maxMessageSize(), 1, Integer.MAX_VALUE, "smtp.maxMessageSize");
        p.range(s.maxRecipients(), 1, 100_000, "smtp.maxRecipients");
        p.range(s.maxConnections(), 1, 100_000, "smtp.maxConnections");
        p.range(s.idleTimeoutSeconds(), 1, 86_400, "smtp.idleTimeoutSeconds");
        p.require(c.domains() != null && !c.domains().isEmpty(), "domains", "needs at least one local domain");
        LinkedHashSet<String> domains = new LinkedHashSet<>();
        for (String d : c.domains()) {
            p.require(d != null && DOMAIN.matcher(d).matches(), "domains", "'" + d + "' is not a domain name");
            domains.add(d.toLowerCase(Locale.ROOT));
        }
        p.require(c.mailboxes() != null, "mailboxes", "missing");
        if (c.delivery() != null && c.delivery().lmtp() != null && c.delivery().lmtp().enabled()) {
            MailrootConfig.Lmtp l = c.delivery().lmtp();
            boolean socket = l.socket() != null && !l.socket().isBlank();
            p.require(socket || l.host() != null && !l.host().isBlank() && l.port() != null && l.port() > 0 && l.port() < 65536,
                    "delivery.lmtp", "needs host and port (1..65535), or socket (a Unix socket path)");
            p.require(l.timeoutSeconds() == null || l.timeoutSeconds() > 0, "delivery.lmtp.timeoutSeconds", "must be positive");
        }
        p.require(c.mailboxes() == null || c.mailboxes().lineEnding() != null
                && List.of("lf", "crlf").contains(c.mailboxes().lineEnding().toLowerCase(java.util.Locale.ROOT)),
                "mailboxes.lineEnding", "must be lf or crlf");
        p.require(c.delivery() != null, "delivery", "missing");
        p.range(c.delivery().threads(), 1, 256, "delivery.threads");
        p.range(c.delivery().giveUpAfterHours(), 1, 8760, "delivery.giveUpAfterHours");
        p.require(c.pickup() != null, "pickup", "missing");
        p.range(c.pickup().settleMillis(), 0, 3_600_000, "pickup.settleMillis");
        p.range(c.pickup().rescanSeconds(), 1, 3600, "pickup.rescanSeconds");
        p.require(c.admin() != null, "admin", "missing");
        p.range(c.admin().port(), 0, 65535, "admin.port");
        LinkedHashSet<String> adminHosts = new LinkedHashSet<>();
        for (String h : c.admin().hosts()) {
            p.require(h != null && (DOMAIN.matcher(h).matches() || IPV6_LITERAL.matcher(h).matches()), "admin.hosts",
                    "'" + h + "' is not a host name or address (an IPv6 address in brackets: [fd00::1])");
            adminHosts.add(h.toLowerCase(Locale.ROOT));
        }
        p.require(c.plugins() != null, "plugins", "missing");
        p.range(c.plugins().loadTimeoutSeconds(), 1, 3600, "plugins.loadTimeoutSeconds");
        p.range(c.plugins().poisonThreshold(), 1, 100, "plugins.poisonThreshold");
        if (c.logging() != null) {
            for (var e : c.logging().entrySet()) {
                p.require(!e.getKey().isBlank(), "logging", "a component name is empty");
                p.require(e.getValue() != null && LogLevels.LEVELS.contains(e.getValue().toLowerCase(Locale.ROOT)),
                        "logging." + e.getKey(), "'" + e.getValue() + "' is not a level (trace, debug, info, warn, error, off)");
            }
        }
        p.range(c.shutdownGraceSeconds(), 0, 3600, "shutdownGraceSeconds");
        List<MailrootConfig.Listener> listeners = listeners(c, s.bind().strip(), p);
        MailrootConfig.Auth a = c.auth();
        p.range(a.failureDelayMillis(), 0, 60_000, "auth.failureDelayMillis");
        p.range(a.lockoutFailures(), 1, 1000, "auth.lockoutFailures");
        p.range(a.lockoutSeconds(), 1, 86_400, "auth.lockoutSeconds");
        MailrootConfig.Tls tls = c.tls();
        p.require(tls.cert() != null && tls.key() != null && tls.cert().isBlank() == tls.key().isBlank(), "tls",
                "cert and key go together: both paths, or both empty (a self-signed certificate)");
        for (String n : c.relay().trustedNetworks()) {
            try {
                dev.mailroot.server.smtp.Network.parse(n);
            } catch (IllegalArgumentException e) {
                p.fail("relay.trustedNetworks", e.getMessage());
            }
        }
        MailrootConfig.Outbound o = c.outbound();
        p.require(o != null, "outbound", "missing");
        p.range(o.threads(), 1, 1000, "outbound.threads");
        p.range(o.perDestination(), 1, 1000, "outbound.perDestination");
        p.range(o.maxRecipients(), 1, 1000, "outbound.maxRecipients");
        for (String[] d : new String[][]{{"retryFirst", o.retryFirst()}, {"retryMax", o.retryMax()}, {"lifetime", o.lifetime()},
                {"delayWarning", o.delayWarning()}}) {
            try {
                java.time.Duration v = MailrootConfig.Outbound.duration(d[1]);
                p.require(!v.isZero() || d[0].equals("delayWarning"), "outbound." + d[0], "must not be 0");
            } catch (IllegalArgumentException e) {
                p.fail("outbound." + d[0], e.getMessage());
            }
        }
        p.range(o.port(), 1, 65535, "outbound.port");
        p.range(o.connectTimeoutSeconds(), 1, 3600, "outbound.connectTimeoutSeconds");
        p.range(o.commandTimeoutSeconds(), 1, 3600, "outbound.commandTimeoutSeconds");
        p.require(o.resolver() == null || o.resolver().isBlank() || o.resolver().matches("dns://[^/\\s]+(:\\d+)?"),
                "outbound.resolver", "'" + o.resolver() + "' is not dns://host[:port]");
        p.require(o.tls() != null && List.of("none", "may", "encrypt").contains(o.tls()), "outbound.tls",
                "must be none, may or encrypt");
        for (var r : o.routes().entrySet()) {
            p.require(r.getKey().equals("*") || DOMAIN.matcher(r.getKey()).matches(), "outbound.routes",
                    "'" + r.getKey() + "' is not a domain (or *)");
            p.require(r.getValue() != null && r.getValue().matches("[^\\s:]+:\\d{1,5}"), "outbound.routes." + r.getKey(),
                    "'" + r.getValue() + "' is not host:port");
        }
        MailrootConfig.Smarthost sh = o.smarthost();
        p.require(c.doctor() != null && c.doctor().intervalMinutes() >= 0, "doctor.intervalMinutes", "must be 0 (off) or more");
        p.require(sh != null, "outbound.smarthost", "missing");
        if (sh.enabled()) {
            p.range(sh.port(), 1, 65535, "outbound.smarthost.port");
            p.require(sh.tls() != null && List.of("none", "may", "encrypt").contains(sh.tls()), "outbound.smarthost.tls",
                    "must be none, may or encrypt");
        }
        return new MailrootConfig(new MailrootConfig.Smtp(s.bind().strip(), s.port(), hostname.toLowerCase(Locale.ROOT),
                s.maxMessageSize(), s.maxRecipients(), s.maxConnections(), s.idleTimeoutSeconds()),
                new ArrayList<>(domains), c.mailboxes(), c.delivery(), c.pickup(),
                new MailrootConfig.Admin(c.admin().port(), new ArrayList<>(adminHosts)), c.plugins(), c.logging(),
                c.shutdownGraceSeconds(), listeners, tls, a, c.relay(), o, c.doctor());
    }

    /** The listeners with {@code bind} filled in from {@code smtp.bind}, each checked. */
    private static List<MailrootConfig.Listener> listeners(MailrootConfig c, String defaultBind, Problems p) throws ConfigException {
        List<MailrootConfig.Listener> out = new ArrayList<>();
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (int i = 0; i < c.listeners().size(); i++) {
            MailrootConfig.Listener l = c.listeners().get(i);
            String key = "listeners[" + i + "]";
            p.require(l != null, key, "is empty");
            p.require(l.name() != null && l.name().matches("[A-Za-z0-9_-]{1,32}"), key + ".name",
                    "needs a name of letters, digits, '-' or '_' (mx, submission)");
            p.require(names.add(l.name().toLowerCase(Locale.ROOT)), key + ".name", "'" + l.name() + "' is used twice");
            p.require(l.port() != -1, key + ".port", "missing");
            p.range(l.port(), 0, 65535, key + ".port");
            p.require(MailrootConfig.Listener.TLS_MODES.contains(l.tls()), key + ".tls",
                    "'" + l.tls() + "' is not one of " + String.join(", ", MailrootConfig.Listener.TLS_MODES));
            p.require(l.anonymous() || l.auth(), key, "anonymous: false with auth: false would refuse every sender");
            String bind = l.bind() == null || l.bind().isBlank() ? defaultBind : l.bind().strip();
            try {
                InetAddress.getByName(bind);
            } catch (UnknownHostException e) {
                p.fail(key + ".bind", "'" + bind + "' is not an address of this machine");
            }
            out.add(new MailrootConfig.Listener(l.name(), bind, l.port(), l.tls(), l.anonymous(), l.auth()));
        }
        return out;
    }

    /** The machine's host name, without a DNS lookup where the kernel knows it. */
    static String machineName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // not Linux: ask Java
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (List.class.isAssignableFrom(type)) {
            return "list";
        }
        return "set of keys";
    }

    private static String syntaxLocation(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Collects the first problem and throws it as a one-line message. */
    private record Problems(String file, KeyLocations where) {
        void require(boolean ok, String key, String what) throws ConfigException {
            if (!ok) {
                fail(key, what);
            }
        }

        void range(long value, long min, long max, String key) throws ConfigException {
            require(value >= min && value <= max, key, value + " is outside " + min + ".." + max);
        }

        void fail(String key, String what) throws ConfigException {
            throw new ConfigException(file + where.describe(key) + ": " + key + ": " + what);
        }
    }
}
