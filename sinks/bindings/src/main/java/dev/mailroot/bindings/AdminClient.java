package dev.mailroot.bindings;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A client of a running server's admin endpoint, for the commands that talk to it
 * ({@code bin/mailroot retrieve}, {@code bin/mailroot wait}, the registry tool). It finds the
 * server of a home through {@code mailroot/admin.port} and sends the home's
 * {@code mailroot/admin.token} with every request ({@code Authorization: Bearer}).
 *
 * <pre>{@code
 * AdminClient admin = AdminClient.of(home);                   // NotRunningException: nothing there
 * AdminClient.Response r = admin.post("/connectors/pop3-connector/retrieve", Map.of("account", "carol"));
 * if (r.ok()) System.out.print(r.body());
 * }</pre>
 *
 * <p>Immutable and thread-safe; each call is one HTTP request on loopback.
 */
public final class AdminClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a POP3 retrieval of every account; {@link #timeout} shortens it. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private final Path home;
    private final int port;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    private AdminClient(Path home, int port, String token, Duration timeout, HttpClient http) {
        this.home = home;
        this.port = port;
        this.token = token;
        this.timeout = timeout;
        this.http = http;
    }

    /** What the endpoint answered: the HTTP status and the body (one-line text, a report, or JSON). */
    public record Response(int status, String body) {
        /** Whether the status is 200. */
        public boolean ok() {
            return status == 200;
        }
    }

    /** No server runs in the home: no {@code mailroot/admin.port}, or nothing answers on it. The message says so plainly. */
    public static final class NotRunningException extends IOException {
        NotRunningException(String message) {
            super(message);
        }
    }

    /** {@code <home>/mailroot/admin.port}: the running server's admin port (written at start, removed at stop). */
    public static Path portFile(Path home) {
        return home.resolve("mailroot").resolve("admin.port");
    }

    /** {@code <home>/mailroot/admin.token}: the admin endpoint's secret (mode 0600, made at the server's first start). */
    public static Path tokenFile(Path home) {
        return home.resolve("mailroot").resolve("admin.token");
    }

    /**
     * A client for the server of {@code home}.
     *
     * @throws NotRunningException if the home has no {@code mailroot/admin.port}
     * @throws IOException         if that file or the token cannot be read (the message names the file)
     */
    public static AdminClient of(Path home) throws IOException {
        Path root = home.toAbsolutePath().normalize();
        Path portFile = portFile(root);
        String text;
        try {
            text = Files.readString(portFile, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new NotRunningException("the server is not running in " + root + " (no mailroot/admin.port)");
        }
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IOException(portFile + ": not a port number: '" + ControlCharacters.escape(text) + "'");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).build();
        return new AdminClient(root, port, readToken(root), DEFAULT_TIMEOUT, http);
    }

    private static String readToken(Path home) throws IOException {
        Path file = tokenFile(home);
        try {
            String t = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return t.isEmpty() ? null : t;
        } catch (NoSuchFileException e) {
            return null; // the server answers 401, which says what is missing
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + file + ": permission denied (run this as the user the server runs as)");
        }
    }

    /** The same client with another limit on how long one request may take. */
    public AdminClient timeout(Duration limit) {
        return new AdminClient(home, port, token, limit, http);
    }

    /** The admin port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code GET path} ({@code /health}). */
    public Response get(String path) throws IOException, InterruptedException {
        return send(request(path, Map.of()).GET());
    }

    /** {@code POST path?params} (an action: {@code /connectors/<plugin-id>/<command>}); params are sent URL-encoded in the query. */
    public Response post(String path, Map<String, String> params) throws IOException, InterruptedException {
        return send(request(path, params).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder request(String path, Map<String, String> params) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("an admin path starts with '/': " + path);
        }
        String query = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path
                + (query.isEmpty() ? "" : "?" + query))).timeout(timeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body());
        } catch (ConnectException e) {
            throw new NotRunningException("the server is not running in " + home + " (nothing answers on 127.0.0.1:" + port + ")");
        } catch (HttpTimeoutException e) {
            throw new IOException("the server on 127.0.0.1:" + port + " did not answer within " + timeout.toSeconds() + " s");
        }
    }
}
