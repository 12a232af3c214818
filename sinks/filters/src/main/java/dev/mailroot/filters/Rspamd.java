package dev.mailroot.filters;

import dev.mailroot.sink.protocol.EndOfData;
import dev.mailroot.sink.protocol.ProtocolSession;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * rspamd's scanning protocol: {@code POST /checkv2} to its normal worker with the message as the
 * body and the envelope in request headers ({@code IP}, {@code Helo}, {@code From}, one {@code Rcpt}
 * per recipient, {@code Queue-Id}); the answer is JSON with {@code score}, {@code required_score},
 * {@code action}, {@code symbols} and {@code messages.smtp_message}.
 */
final class Rspamd implements ScanEngine {
    private final URI uri;
    private final Duration timeout;
    private final HttpClient http;

    Rspamd(String host, int port, Duration timeout) {
        this.uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/checkv2");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public Scan scan(ProtocolSession session, EndOfData message, byte[] content) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content))
                .header("Queue-Id", ReplyTemplate.printable(session.sessionId()));
        session.clientAddress().ifPresent(a -> request.header("IP", a.getHostAddress()));
        session.heloName().ifPresent(h -> request.header("Helo", ReplyTemplate.printable(h)));
        if (!message.mailFrom().isEmpty()) {
            request.header("From", ReplyTemplate.printable(message.mailFrom()));
        }
        for (String r : message.recipients()) {
            request.header("Rcpt", ReplyTemplate.printable(r));
        }
        HttpResponse<String> response;
        var pending = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            // the whole exchange within the time limit: HttpRequest.timeout covers only the wait for the headers
            response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IOException("rspamd at " + uri + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.net.http.HttpTimeoutException && !(e.getCause() instanceof java.net.http.HttpConnectTimeoutException)) {
                // the request's own time limit, the same as ours, fired first
                throw new IOException("rspamd at " + uri + " did not answer within " + timeout.toMillis() + " ms", e.getCause());
            }
            throw new IOException("rspamd at " + uri + " cannot be reached: " + e.getCause(), e.getCause());
        }
        if (response.statusCode() != 200) {
            throw new IOException("rspamd at " + uri + " answered HTTP " + response.statusCode() + ": "
                    + ReplyTemplate.printable(response.body()));
        }
        return parse(response.body());
    }

    /** The result in rspamd's JSON answer. */
    static Scan parse(String body) throws IOException {
        try {
            if (!(Json.parse(body) instanceof Map<?, ?> m) || !(m.get("score") instanceof Double score)) {
                throw new IOException("rspamd's answer has no score: " + ReplyTemplate.printable(body));
            }
            double required = m.get("required_score") instanceof Double d ? d : Double.NaN;
            List<String> symbols = new ArrayList<>();
            if (m.get("symbols") instanceof Map<?, ?> s) {
                s.keySet().forEach(k -> symbols.add(String.valueOf(k)));
            }
            Optional<String> smtp = m.get("messages") instanceof Map<?, ?> msgs && msgs.get("smtp_message") instanceof String t
                    ? Optional.of(t) : Optional.empty();
            return new Scan("rspamd", score, required, Optional.ofNullable(m.get("action")).map(String::valueOf), symbols, smtp);
        } catch (IllegalArgumentException e) {
            throw new IOException("rspamd's answer is " + e.getMessage(), e);
        }
    }
}
