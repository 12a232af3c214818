package dev.mailroot.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.ListenException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.sink.CommandResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin endpoint on 127.0.0.1 ({@code admin.port}): {@code GET /health}, {@code GET /bindings}
 * and {@code GET /plugins} (the server's live view, see {@link LiveState}), and
 * {@code POST /connectors/<plugin-id>/<command>?name=value} (for example
 * {@code POST /connectors/pop3-connector/retrieve?account=carol-isp}). Paths match exactly.
 * Every request but {@code GET /health} needs the token (a request that names nothing served, a
 * wrong path or method, is answered 404 or 405 and runs nothing), and no request may come from a
 * foreign {@code Host} or {@code Origin} ({@link AdminAccess}).
 */
public final class AdminEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminEndpoint.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final AdminAccess access;
    private final Supplier<Health> health;
    private final PluginHost plugins;
    private final LiveState live;
    private final Clock clock;
    private volatile java.util.function.Supplier<java.util.Collection<dev.mailroot.server.spool.SpoolEntry>> spool;
    private volatile dev.mailroot.server.outbound.OutboundQueue outbound;
    /** Routes added by other parts (metrics, doctor, ...): "GET /path" -> handler; token required. */
    private final Map<String, Route> routes = new java.util.concurrent.ConcurrentHashMap<>();
    /** Path prefixes served by a part that does its own authentication (the console): Host/Origin checked only. */
    private final Map<String, com.sun.net.httpserver.HttpHandler> prefixes = new java.util.concurrent.ConcurrentHashMap<>();

    /** Serves one exact path for one method; the endpoint has checked Host, Origin and the token before it runs. */
    @FunctionalInterface
    public interface Route {
        /**
         * Answers {@code ex} (use {@link #reply}); {@code query} holds the decoded query parameters.
         * An exception is answered 500 and logged.
         */
        void handle(HttpExchange ex, Map<String, String> query) throws IOException;
    }

    /**
     * @param config  {@code admin}: the port on 127.0.0.1 (0 picks a free one) and the extra host names
     * @param token   the token every action must carry
     * @param health  what {@code /health} reports
     * @param plugins where connector commands go; null when the server runs without plugins
     * @param live    the bindings and plugins as the server sees them
     */
    public AdminEndpoint(MailrootConfig.Admin config, String token, Supplier<Health> health, PluginHost plugins,
                         LiveState live, Clock clock) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try {
            server = HttpServer.create(new InetSocketAddress(loopback, config.port()), 16);
        } catch (BindException e) {
            throw new ListenException(loopback.getHostAddress(), config.port(), "admin.port", e);
        }
        this.access = new AdminAccess(token, config.hosts(), port(), clock);
        this.health = health;
        this.plugins = plugins;
        this.live = live;
        this.clock = clock;
        // more threads than clients an administrator runs at once: a slow or stalled client (a request
        // that never finishes its body, a retrieval of a large mailbox) must not freeze the endpoint
        executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        // one context for everything: the JDK matches contexts by prefix, and /healthz is not /health
        server.createContext("/", this::handle);
        server.start();
        log.info("MR1011 admin endpoint listening on 127.0.0.1:{}", port());
    }

    /** Serves {@code GET /queue} from {@code spool} and the queue actions ({@code POST /queue/<action>}) on {@code outbound}. */
    public AdminEndpoint queue(java.util.function.Supplier<java.util.Collection<dev.mailroot.server.spool.SpoolEntry>> spool,
                               dev.mailroot.server.outbound.OutboundQueue outbound) {
        this.spool = spool;
        this.outbound = outbound;
        return this;
    }

    static final int THREADS = 8;
    static final String MAX_REQUEST_SECONDS = "sun.net.httpserver.maxReqTime";

    static {
        limitRequestTime();
    }

    /**
     * The JDK server waits for a request's headers and body forever by default: a client that opens
     * a connection and sends half a request holds a thread. {@code sun.net.httpserver.maxReqTime}
     * (read once, at the first server in the process) closes such a connection after 30 s; a value
     * set with {@code -D} wins.
     */
    public static void limitRequestTime() {
        if (System.getProperty(MAX_REQUEST_SECONDS) == null) {
            System.setProperty(MAX_REQUEST_SECONDS, "30");
        }
    }

    /** Serves {@code method path} (exact) with {@code route}, behind the token. */
    public AdminEndpoint route(String method, String path, Route route) {
        routes.put(method + " " + path, route);
        return this;
    }

    /**
     * Serves every path under {@code prefix} (which ends with {@code /}; the bare prefix without
     * the slash too) with {@code handler}, which does its own authentication: the endpoint has
     * only checked {@code Host} and {@code Origin}. For the web console.
     */
    public AdminEndpoint prefix(String prefix, com.sun.net.httpserver.HttpHandler handler) {
        prefixes.put(prefix, handler);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            Optional<com.sun.net.httpserver.HttpHandler> prefixed = prefixes.entrySet().stream()
                    .filter(p -> path.startsWith(p.getKey()) || path.equals(p.getKey().substring(0, p.getKey().length() - 1)))
                    .map(Map.Entry::getValue).findFirst();
            if (prefixed.isPresent()) {
                Optional<AdminAccess.Refusal> foreign = access.checkHostAndOrigin(ex);
                if (foreign.isPresent()) {
                    reply(ex, foreign.get().status(), foreign.get().body());
                } else {
                    prefixed.get().handle(ex);
                }
                return;
            }
            Route added = routes.get(method + " " + path);
            boolean routed = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + path));
            if (routed) {
                Optional<AdminAccess.Refusal> refused = access.checkHostAndOrigin(ex).or(() -> access.checkToken(ex));
                if (refused.isPresent()) {
                    if (refused.get().status() == 401) {
                        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mailroot admin\"");
                    }
                    reply(ex, refused.get().status(), refused.get().body());
                } else if (added == null) {
                    ex.getResponseHeaders().set("Allow", String.join(", ", routes.keySet().stream()
                            .filter(k -> k.endsWith(" " + path)).map(k -> k.substring(0, k.indexOf(' '))).sorted().toList()));
                    reply(ex, 405, "405 method not allowed\n");
                } else {
                    try {
                        added.handle(ex, query(ex.getRequestURI().getRawQuery()));
                    } catch (IOException | RuntimeException e) {
                        log.error("MR1011 admin {} {} failed: {}", method, path, e.toString(), e);
                        ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, AdminClient.COMMAND_ERROR);
                        reply(ex, 500, "the command failed: " + e + "\n");
                    }
                }
                return;
            }
            boolean isHealth = path.equals("/health");
            boolean isView = path.equals("/bindings") || path.equals("/plugins") || path.equals("/queue");
            boolean isQueueAction = QUEUE_ACTIONS.contains(path);
            String allow = isHealth || isView ? "GET" : path.startsWith("/connectors/") || isQueueAction ? "POST" : null;
            Optional<AdminAccess.Refusal> refused = access.checkHostAndOrigin(ex);
            if (refused.isEmpty() && allow != null && method.equals(allow) && !isHealth) {
                refused = access.checkToken(ex);
            }
            if (refused.isPresent()) {
                if (refused.get().status() == 401) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mailroot admin\"");
                }
                reply(ex, refused.get().status(), refused.get().body());
            } else if (allow == null) {
                reply(ex, 404, "404 not found: the admin endpoint serves GET /health, GET /bindings, GET /plugins, "
                        + "GET /queue, POST /queue/{flush,hold,release,delete}, POST /connectors/<plugin-id>/<command>"
                        + routes.keySet().stream().sorted().map(r -> ", " + r).collect(java.util.stream.Collectors.joining())
                        + prefixes.keySet().stream().sorted().map(r -> ", " + r + "...").collect(java.util.stream.Collectors.joining()) + "\n");
            } else if (!method.equals(allow)) {
                ex.getResponseHeaders().set("Allow", allow);
                reply(ex, 405, "405 method not allowed: use " + allow + "\n");
            } else if (isHealth) {
                String nonce = ex.getRequestHeaders().getFirst("X-Mailroot-Nonce");
                if (nonce != null && nonce.matches("[A-Za-z0-9_-]{16,128}")) {
                    ex.getResponseHeaders().set("X-Mailroot-Proof", access.proof(nonce));
                }
                reply(ex, 200, health.get().json());
            } else if (path.equals("/queue")) {
                var s = spool;
                reply(ex, 200, s == null ? "" : dev.mailroot.server.outbound.QueueView.lines(s.get(), clock.instant()));
            } else if (isView) {
                reply(ex, 200, path.equals("/bindings") ? live.bindingsJson() : live.pluginsJson());
            } else if (isQueueAction) {
                queueAction(ex, path.substring("/queue/".length()), query(ex.getRequestURI().getRawQuery()));
            } else {
                connector(ex, path);
            }
        }
    }

    /** How long a connector command may keep a request waiting (a retrieval of a large mailbox takes a while). */
    static final java.time.Duration COMMAND_LIMIT = java.time.Duration.ofMinutes(10);

    private static final java.util.Set<String> QUEUE_ACTIONS = java.util.Set.of("/queue/flush", "/queue/hold", "/queue/release",
            "/queue/delete");

    /**
     * {@code POST /queue/<action>?id=<id>} (flush also {@code ?domain=}, or nothing: everything):
     * 200 with what was done, 404 if no queued message matches (header {@code X-Mailroot-Refusal: not-queued}).
     */
    private void queueAction(HttpExchange ex, String action, Map<String, String> params) throws IOException {
        var q = outbound;
        String id = params.get("id");
        String domain = params.get("domain");
        if (q == null) {
            reply(ex, 404, "this server has no outbound queue\n");
            return;
        }
        if (id != null && !id.matches("[A-Za-z0-9._-]{1,64}") || domain != null && !domain.matches("[A-Za-z0-9.-]{1,253}")) {
            reply(ex, 400, "not a message id or domain\n");
            return;
        }
        if (!action.equals("flush") && id == null) {
            reply(ex, 400, action + " needs ?id=<message id>\n");
            return;
        }
        try {
            String done;
            if (action.equals("delete")) {
                Optional<java.nio.file.Path> file = q.delete(id, "deleted by administrator");
                done = file.map(f -> "message " + id + " moved to badmail as " + f.getFileName() + " (reason: deleted by "
                        + "administrator)").orElse(null);
            } else {
                int n = switch (action) {
                    case "flush" -> q.flush(id, domain);
                    case "hold" -> q.hold(id);
                    default -> q.release(id);
                };
                String what = switch (action) {
                    case "flush" -> "due now";
                    case "hold" -> "held";
                    default -> "released (due now)";
                };
                done = n == 0 && id != null && q.entry(id).isEmpty() ? null : n + " recipient(s) " + what;
            }
            if (done == null) {
                ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, "not-queued");
                reply(ex, 404, "no message " + id + " in the outbound queue\n");
                return;
            }
            reply(ex, 200, done + "\n");
        } catch (IOException | RuntimeException e) {
            log.error("MR1011 admin queue {} failed: {}", action, e.toString(), e);
            ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, AdminClient.COMMAND_ERROR);
            reply(ex, 500, "the command failed: " + e + "\n");
        }
    }

    private void connector(HttpExchange ex, String path) throws IOException {
        String[] parts = path.split("/", -1);
        if (parts.length != 4 || parts[2].isEmpty() || parts[3].isEmpty()) {
            reply(ex, 404, "404 not found: expected /connectors/<plugin-id>/<command>\n");
            return;
        }
        String pluginId = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
        String command = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
        Map<String, String> params = query(ex.getRequestURI().getRawQuery());
        try {
            Optional<CommandResult> result = plugins == null ? Optional.empty()
                    : plugins.command(pluginId, command, params, COMMAND_LIMIT);
            if (result.isEmpty()) {
                ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, AdminClient.UNKNOWN_PLUGIN);
                reply(ex, 404, "no running connector '" + ControlCharacters.escape(pluginId)
                        + "' (is its plugin in plugins/ and loaded?)\n");
                return;
            }
            CommandResult r = result.get();
            int status = switch (r.outcome()) {
                case OK -> 200;
                case FAILED -> 500;
                case UNKNOWN_COMMAND -> 404;
            };
            if (r.outcome() == CommandResult.Outcome.UNKNOWN_COMMAND) {
                ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, AdminClient.UNKNOWN_COMMAND);
            }
            reply(ex, status, r.report().endsWith("\n") ? r.report() : r.report() + "\n");
        } catch (Exception e) {
            log.error("MR1011 admin command {} {} failed: {}", pluginId, command, e.toString(), e);
            ex.getResponseHeaders().set(AdminClient.REFUSAL_HEADER, AdminClient.COMMAND_ERROR);
            reply(ex, 500, "the command failed: " + e + "\n");
        }
    }

    /** The decoded parameters of a raw query string (the last of a repeated name wins). */
    public static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    /** Answers {@code body} with {@code status}: JSON if it starts with '{', plain text otherwise; never cached. */
    public static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
