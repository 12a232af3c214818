package dev.mailroot.server.admin;

import dev.mailroot.bindings.AdminClient;
import com.sun.net.httpserver.HttpExchange;
import dev.mailroot.bindings.ControlCharacters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use the admin endpoint. A request must name this machine in {@code Host} (a loopback
 * name or address, or a name in {@code admin.hosts}), so a web page that rebinds its own DNS name
 * to 127.0.0.1 is refused; an {@code Origin} header (a browser's cross-site request) must name one
 * of those hosts too, on the admin port for the loopback ones; and every action must carry the
 * token ({@code GET /health} is open). Refusals are logged once a minute per client address
 * at most, so a page hammering the endpoint cannot flood the log.
 */
final class AdminAccess {
    private static final Logger log = LoggerFactory.getLogger(AdminAccess.class);
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    /** A refused request: its status and one-line body. */
    record Refusal(int status, String body) {
    }

    private final byte[] expected;
    private final String token;
    private final Set<String> hosts;
    private final int port;
    private final Clock clock;
    private final Map<String, Long> lastLogged = new HashMap<>();

    /**
     * @param token      the admin token
     * @param extraHosts {@code admin.hosts}, lower case
     * @param port       the port the endpoint listens on
     */
    AdminAccess(String token, List<String> extraHosts, int port, Clock clock) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
        this.token = token;
        Set<String> all = new LinkedHashSet<>(LOOPBACK);
        all.addAll(extraHosts);
        this.hosts = Set.copyOf(all);
        this.port = port;
        this.clock = clock;
    }

    /** A 403 refusal if the request's Host or Origin is not this endpoint (checked for every request). */
    Optional<Refusal> checkHostAndOrigin(HttpExchange ex) {
        Optional<String> foreign = foreignHostOrOrigin(ex);
        if (foreign.isEmpty()) {
            return Optional.empty();
        }
        String client = client(ex);
        logAtMostEveryMinute("MR1021", client, "MR1021 admin request from {} refused: {} ({}); a web page may be "
                + "trying to reach the endpoint (DNS rebinding, cross-site form)", client, foreign.get(), where(ex));
        return Optional.of(new Refusal(403, "403 forbidden: " + foreign.get() + "\n"));
    }

    /**
     * The answer to a client's {@code X-Mailroot-Nonce}: the HMAC-SHA256 of the nonce under the
     * token, base64url. A client checks it on {@code GET /health} before it sends the token, so
     * that a process that took the port of a server that died (its {@code mailroot/admin.port}
     * left behind) cannot collect the token: it cannot compute the proof without it.
     */
    String proof(String nonce) {
        return AdminClient.proof(token, nonce);
    }


    /** A 401 refusal if the request does not carry the token (checked for every action). */
    Optional<Refusal> checkToken(HttpExchange ex) {
        if (tokenMatches(ex.getRequestHeaders().get("Authorization"))) {
            return Optional.empty();
        }
        String client = client(ex);
        logAtMostEveryMinute("MR1020", client, "MR1020 admin request from {} refused: no valid token ({})", client, where(ex));
        return Optional.of(new Refusal(401, "401 unauthorized: send the admin token: "
                + "Authorization: Bearer <contents of mailroot/admin.token>\n"));
    }

    private static String client(HttpExchange ex) {
        return ex.getRemoteAddress().getAddress().getHostAddress();
    }

    private static String where(HttpExchange ex) {
        return shown(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
    }

    /** Why the Host or Origin is not this machine's, if it is not. */
    private Optional<String> foreignHostOrOrigin(HttpExchange ex) {
        List<String> host = ex.getRequestHeaders().get("Host");
        if (host == null || host.size() != 1) {
            return Optional.of("one Host header is required");
        }
        if (!hostAllowed(host.get(0))) {
            return Optional.of("Host '" + shown(host.get(0)) + "' is not a loopback name or a name in admin.hosts");
        }
        URI target = ex.getRequestURI();
        if (target.getHost() != null && !hosts.contains(authorityHost(target.getRawAuthority()))) {
            return Optional.of("request target names '" + shown(target.getRawAuthority()) + "'");
        }
        List<String> origin = ex.getRequestHeaders().get("Origin");
        if (origin != null && (origin.size() != 1 || !originAllowed(origin.get(0)))) {
            return Optional.of("Origin '" + shown(String.join(", ", origin)) + "' is not this endpoint");
        }
        return Optional.empty();
    }

    /** {@code name} or {@code name:port}, the name one of the allowed hosts. */
    private boolean hostAllowed(String value) {
        String v = value.strip();
        String name = authorityHost(v);
        String rest = v.substring(name.length());
        return hosts.contains(name.toLowerCase(Locale.ROOT)) && (rest.isEmpty() || rest.matches(":[0-9]{1,5}"));
    }

    /** The host part of {@code host[:port]} (an IPv6 literal keeps its brackets), lower case. */
    private static String authorityHost(String authority) {
        String a = authority.strip();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return (end < 0 ? a : a.substring(0, end + 1)).toLowerCase(Locale.ROOT);
        }
        int colon = a.indexOf(':');
        return (colon < 0 ? a : a.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** {@code http(s)://host[:port]} with an allowed host; for a loopback host, on the admin port. */
    private boolean originAllowed(String value) {
        URI origin;
        try {
            origin = new URI(value.strip());
        } catch (URISyntaxException e) {
            return false; // "null" (a sandboxed page, a file://) parses; garbage does not
        }
        String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || origin.getHost() == null) {
            return false;
        }
        String name = origin.getHost().toLowerCase(Locale.ROOT);
        if (!hosts.contains(name)) {
            return false;
        }
        int originPort = origin.getPort() >= 0 ? origin.getPort() : scheme.equals("https") ? 443 : 80;
        return !LOOPBACK.contains(name) || originPort == port;
    }

    private boolean tokenMatches(List<String> authorization) {
        if (authorization == null || authorization.size() != 1) {
            return false;
        }
        String v = authorization.get(0).strip();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = ("Bearer " + v.substring(7).strip()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given); // constant time for equal lengths; the length is no secret
    }

    private void logAtMostEveryMinute(String event, String client, String format, Object... args) {
        long now = clock.millis();
        synchronized (lastLogged) {
            if (lastLogged.size() > 10_000) {
                lastLogged.values().removeIf(t -> now - t >= LOG_EVERY.toMillis());
            }
            Long last = lastLogged.get(event + " " + client);
            if (last != null && now - last < LOG_EVERY.toMillis()) {
                return;
            }
            lastLogged.put(event + " " + client, now);
        }
        log.warn(format, args);
    }

    /** Header values go back in the one-line body and into the log: no control character raw. */
    private static String shown(String value) {
        String v = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return ControlCharacters.escape(v);
    }
}
