package dev.mailroot.server.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.mailroot.bindings.ControlCharacters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web console under {@code /ui/} on the admin endpoint, the SBS "POP3 Connector Manager" and
 * the KB 885685 article's folder-counting rebuilt: server-rendered pages and forms, no script, no
 * external asset. The endpoint has checked {@code Host} and {@code Origin} before a request gets
 * here; the console adds its login (the admin token or the admin password), a session cookie
 * ({@code HttpOnly}, {@code SameSite=Strict}) and a CSRF token in every form, checked on every POST.
 * Every action calls the classes the command-line tools call, and is logged ({@code MR8070}).
 */
public final class Console implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Console.class);
    static final String COOKIE = "mrsession";
    private static final int MAX_FORM_BYTES = 1 << 20;
    private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";

    /** One request, parsed: the path below {@code /ui/} split at slashes (decoded), its parameters and the session. */
    record Request(HttpExchange exchange, String method, List<String> path, Map<String, String> query, Map<String, String> form,
                   Sessions.Session session) {
        String segment(int i) {
            return i < path.size() ? path.get(i) : "";
        }

        String param(String name) {
            String v = form.get(name);
            return v != null ? v : query.get(name);
        }
    }

    /** What a page answers. */
    sealed interface Answer permits Page, Redirect, Text {
    }

    /** An HTML page: its title, the navigation entry it belongs to, and its body. */
    record Page(String title, String nav, String body, int status) implements Answer {
        Page(String title, String nav, String body) {
            this(title, nav, body, 200);
        }
    }

    /** A 303 to a console path, with a message shown once there. */
    record Redirect(String location, String flash, boolean error) implements Answer {
    }

    /** A plain-text answer (an error outside a page). */
    record Text(int status, String body) implements Answer {
    }

    /** A part of the console: the pages under one path segment. */
    interface View {
        Answer get(Request r) throws Exception;

        /** A form's action; the CSRF token has been checked. */
        default Answer post(Request r) throws Exception {
            return new Text(405, "405 method not allowed\n");
        }
    }

    private final ConsoleServices services;
    private final Sessions sessions;
    private final Map<String, View> views = new LinkedHashMap<>();
    private final Assets assets = new Assets();

    public Console(ConsoleServices services, Clock clock) {
        this.services = services;
        this.sessions = new Sessions(clock);
        views.put("", new StatusView(services));
        views.put("bindings", new BindingsView(services));
        views.put("pop3", new Pop3View(services));
        views.put("folders", new FoldersView(services));
        views.put("mailboxes", new MailboxesView(services));
        views.put("search", new SearchView(services));
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawPath();
        if (raw.equals("/ui")) {
            redirect(ex, "/ui/");
            return;
        }
        List<String> path = new ArrayList<>();
        for (String s : raw.substring("/ui/".length()).split("/", -1)) {
            path.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        }
        if (path.size() > 1 && path.get(path.size() - 1).isEmpty()) {
            path.remove(path.size() - 1);
        }
        String first = path.get(0);
        String method = ex.getRequestMethod();
        try {
            if (first.equals("assets")) {
                assets.serve(ex, path.size() == 2 ? path.get(1) : "");
                return;
            }
            Map<String, String> query = dev.mailroot.server.admin.AdminEndpoint.query(ex.getRequestURI().getRawQuery());
            Map<String, String> form = method.equals("POST") ? form(ex) : Map.of();
            if (form == null) {
                send(ex, new Text(415, "415: a console form must be application/x-www-form-urlencoded and at most 1 MB\n"), null);
                return;
            }
            Optional<Sessions.Session> session = sessions.find(cookie(ex));
            if (first.equals("login")) {
                login(ex, method, form, query);
                return;
            }
            if (session.isEmpty()) {
                if (method.equals("GET")) {
                    redirect(ex, "/ui/login?next=" + java.net.URLEncoder.encode(raw, StandardCharsets.UTF_8));
                } else {
                    send(ex, new Text(401, "401: log in first (your session may have expired)\n"), null);
                }
                return;
            }
            Sessions.Session s = session.get();
            if (method.equals("POST") && !s.csrfMatches(form.get("csrf"))) {
                log.warn("MR8071 console request refused: {} {} without this session's form token (a cross-site request?)",
                        method, ControlCharacters.escape(raw));
                send(ex, new Text(403, "403 forbidden: the form token is missing or wrong; reload the page and try again\n"), null);
                return;
            }
            if (first.equals("logout") && method.equals("POST")) {
                sessions.close(s);
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict");
                redirect(ex, "/ui/login");
                return;
            }
            View view = views.get(first);
            if (view == null || !method.equals("GET") && !method.equals("POST")) {
                send(ex, new Page("Not found", "", "<p>No such page.</p>", 404), s);
                return;
            }
            Request r = new Request(ex, method, path, query, form, s);
            Answer a = method.equals("GET") ? view.get(r) : view.post(r);
            if (method.equals("POST") && a instanceof Redirect red) {
                log.info("MR8070 console action by {}: {} {}: {}", s.who, method, ControlCharacters.escape(raw),
                        ControlCharacters.escape(red.flash() == null ? "done" : red.flash()));
            }
            send(ex, a, s);
        } catch (Exception e) {
            log.error("MR8072 console page {} {} failed: {}", method, ControlCharacters.escape(raw), e.toString(), e);
            send(ex, new Page("Error", "", "<p class=\"flash error\">This page failed: " + Html.esc(e.toString())
                    + ". The server log has the details (MR8072).</p>", 500), sessions.find(cookie(ex)).orElse(null));
        }
    }

    private void login(HttpExchange ex, String method, Map<String, String> form, Map<String, String> query) throws IOException {
        String client = ex.getRemoteAddress().getAddress().getHostAddress();
        String next = safeNext(method.equals("POST") ? form.get("next") : query.get("next"));
        if (method.equals("GET")) {
            send(ex, new Page("Log in", "login", loginForm(next, null)), null);
            return;
        }
        if (!method.equals("POST")) {
            send(ex, new Text(405, "405 method not allowed\n"), null);
            return;
        }
        // every local client is 127.0.0.1: while guesses lock the address out, the token still opens
        // (it cannot be guessed), so another local user cannot keep the administrator out
        boolean locked = sessions.lockedOut(client);
        Optional<String> who = locked ? services.credentials().token(form.getOrDefault("secret", ""))
                : services.credentials().check(form.getOrDefault("secret", ""));
        if (who.isEmpty() && locked) {
            send(ex, new Page("Log in", "login", loginForm(next, "Too many failed logins from " + client
                    + ": passwords are refused for " + Sessions.FAILURE_WINDOW.toMinutes() + " minutes; the admin token still works."),
                    429), null);
            return;
        }
        if (who.isEmpty()) {
            sessions.failed(client);
            log.warn("MR8073 console login from {} refused: wrong token or password", client);
            send(ex, new Page("Log in", "login", loginForm(next, "Wrong token or password."), 403), null);
            return;
        }
        sessions.succeeded(client);
        Sessions.Session s = sessions.open(who.get());
        log.info("MR8070 console login from {} with the {}", client, who.get());
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.id + "; Path=/ui; HttpOnly; SameSite=Strict");
        redirect(ex, next);
    }

    private static String safeNext(String next) {
        return next != null && next.startsWith("/ui/") && !next.startsWith("/ui//") && next.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                && !next.contains("\\") ? next : "/ui/";
    }

    private static String loginForm(String next, String error) {
        return (error == null ? "" : "<p class=\"flash error\" id=\"login-error\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/ui/login\" class=\"login\"><input type=\"hidden\" name=\"next\" value=\""
                + Html.esc(next) + "\"><label for=\"secret\">Admin token or password</label>"
                + "<input type=\"password\" id=\"secret\" name=\"secret\" autocomplete=\"current-password\" autofocus>"
                + "<button type=\"submit\" id=\"login\">Log in</button></form>"
                + "<p class=\"hint\">The token is in <code>mailroot/admin.token</code> of the server's home; "
                + "set a password with <code>bin/mailroot admin-password</code>.</p>";
    }

    private void send(HttpExchange ex, Answer a, Sessions.Session s) throws IOException {
        if (a instanceof Redirect r) {
            if (s != null && r.flash() != null) {
                s.flash(r.flash(), r.error());
            }
            redirect(ex, r.location());
        } else if (a instanceof Text t) {
            write(ex, t.status(), "text/plain; charset=utf-8", t.body());
        } else {
            Page p = (Page) a;
            write(ex, p.status(), "text/html; charset=utf-8", Layout.page(p, s));
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        securityHeaders(ex);
        ex.sendResponseHeaders(303, -1);
        ex.close();
    }

    static void write(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        securityHeaders(ex);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void securityHeaders(HttpExchange ex) {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        // not no-referrer: with it Chromium sends "Origin: null" on the console's own form posts, which the endpoint refuses
        ex.getResponseHeaders().set("Referrer-Policy", "same-origin");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
    }

    private static String cookie(HttpExchange ex) {
        List<String> headers = ex.getRequestHeaders().get("Cookie");
        if (headers == null) {
            return null;
        }
        for (String h : headers) {
            for (String part : h.split(";")) {
                String p = part.strip();
                if (p.startsWith(COOKIE + "=")) {
                    return p.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /** The URL-encoded form, or null if the body is of another type or too large. */
    private static Map<String, String> form(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (body.size() + n > MAX_FORM_BYTES) {
                    return null;
                }
                body.write(buf, 0, n);
            }
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : body.toString(StandardCharsets.US_ASCII).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return m;
    }

    static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.stream(s.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }
}
