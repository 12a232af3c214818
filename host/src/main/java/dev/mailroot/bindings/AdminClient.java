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
 * <p>Thread-safe; each call is one HTTP request on loopback, and the first one that carries the
 * token is preceded by one that checks the listener can prove it holds the token.
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
    /** Whether the listener has proved it is this home's server (then the token may be sent). */
    private volatile boolean verified;

    private AdminClient(Path home, int port, String token, Duration timeout, HttpClient http) {
        this.home = home;
        this.port = port;
        this.token = token;
        this.timeout = timeout;
        this.http = http;
    }

    /** The header in which the endpoint says why it did not run a connector command ({@link Response#refusal()}). */
    public static final String REFUSAL_HEADER = "X-Mailroot-Refusal";
    /** {@link Response#refusal()}: no loaded plugin of that id runs a service. */
    public static final String UNKNOWN_PLUGIN = "unknown-plugin";
    /** {@link Response#refusal()}: the plugin's service has no such command. */
    public static final String UNKNOWN_COMMAND = "unknown-command";
    /** {@link Response#refusal()}: the command threw; the body says what. */
    public static final String COMMAND_ERROR = "command-error";

    /**
     * What the endpoint answered.
     *
     * @param status  the HTTP status
     * @param body    the body (one-line text, a report, or JSON)
     * @param refusal for a connector command not run or not finished, why ({@link #UNKNOWN_PLUGIN},
     *                {@link #UNKNOWN_COMMAND}, {@link #COMMAND_ERROR}); else null
     */
    public record Response(int status, String body, String refusal) {
        public Response(int status, String body) {
            this(status, body, null);
        }

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
        if (!open(path)) {
            verifyServer();
        }
        return send(request(path, Map.of()).GET());
    }

    /** {@code POST path?params} (an action: {@code /connectors/<plugin-id>/<command>}); params are sent URL-encoded in the query. */
    public Response post(String path, Map<String, String> params) throws IOException, InterruptedException {
        verifyServer();
        return send(request(path, params).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code /health} is open: the token never goes with it. */
    private static boolean open(String path) {
        return path.equals("/health");
    }

    /**
     * Makes sure whatever listens on the port is the server of this home before the token goes to
     * it: {@code GET /health} with a random nonce must come back with the nonce's HMAC under the
     * token, which only the server that made the token can compute. A process that took the port
     * of a server that died (its {@code mailroot/admin.port} left behind) gets nothing.
     */
    private void verifyServer() throws IOException, InterruptedException {
        if (verified || token == null) {
            return;
        }
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        String nonce = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(timeout)
                    .header("X-Mailroot-Nonce", nonce).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new NotRunningException("the server is not running in " + home + " (nothing answers on 127.0.0.1:" + port + ")");
        } catch (HttpTimeoutException e) {
            throw new IOException("the server on 127.0.0.1:" + port + " did not answer within " + timeout.toSeconds() + " s");
        }
        String proof = r.headers().firstValue("X-Mailroot-Proof").orElse("");
        if (!java.security.MessageDigest.isEqual(proof.getBytes(StandardCharsets.US_ASCII),
                proof(token, nonce).getBytes(StandardCharsets.US_ASCII))) {
            throw new NotRunningException("what answers on 127.0.0.1:" + port + " cannot prove it holds the token in "
                    + tokenFile(home) + " (the file changed since that server started, or another program took the port "
                    + "of a server that died); the token was not sent");
        }
        verified = true;
    }

    /** The proof the server gives for {@code nonce}: HMAC-SHA256 under the token, base64url (the server computes it with this too). */
    public static String proof(String token, String nonce) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(token.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(nonce.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17", e);
        }
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
        if (token != null && !open(path)) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body(), r.headers().firstValue(REFUSAL_HEADER).orElse(null));
        } catch (ConnectException e) {
            throw new NotRunningException("the server is not running in " + home + " (nothing answers on 127.0.0.1:" + port + ")");
        } catch (HttpTimeoutException e) {
            throw new IOException("the server on 127.0.0.1:" + port + " did not answer within " + timeout.toSeconds() + " s");
        }
    }
}
