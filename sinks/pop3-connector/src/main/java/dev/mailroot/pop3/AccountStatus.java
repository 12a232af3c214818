package dev.mailroot.pop3;

import dev.mailroot.sink.ServiceMetrics;

import java.time.Instant;
import java.util.Locale;

/**
 * One account's runs since the server started, for the {@code status} command and the metrics
 * ({@code mailroot_connector_*{plugin="pop3-connector",account=...}}). Thread-safe.
 */
final class AccountStatus {
    private final ServiceMetrics.Counter downloads;
    private final ServiceMetrics.Counter failures;
    private final ServiceMetrics.Counter setAside;
    private final ServiceMetrics.Gauge lastRunAt;
    private final ServiceMetrics.Gauge lastSuccessAt;
    private Instant lastRun;
    private Instant lastSuccess;
    private long downloaded;
    private long failed;
    private Retrieval.Report last;
    private String lastError;
    private boolean running;

    AccountStatus(String account, ServiceMetrics metrics) {
        downloads = metrics.counter("downloads", "Messages downloaded from a POP3 account and handed to pickup", "account", account);
        failures = metrics.counter("failures", "Retrievals of a POP3 account that ended in an error (connect, login, a message "
                + "that could not be read)", "account", account);
        setAside = metrics.counter("failed_messages", "Downloads of a POP3 account that were not messages, set aside in "
                + "mailroot/pop3/failed/", "account", account);
        lastRunAt = metrics.gauge("last_run_timestamp_seconds", "When the last retrieval of a POP3 account ended (Unix time)",
                "account", account);
        lastSuccessAt = metrics.gauge("last_success_timestamp_seconds", "When the last retrieval of a POP3 account without "
                + "error ended (Unix time)", "account", account);
    }

    synchronized void started() {
        running = true;
    }

    synchronized void ended(Retrieval.Report r, Instant at) {
        running = false;
        last = r;
        lastRun = at;
        downloaded += r.transferred();
        failed += r.failed();
        downloads.increment(r.transferred());
        setAside.increment(r.failed());
        lastRunAt.set(at.getEpochSecond());
        if (r.error() == null) {
            lastSuccess = at;
            lastError = null;
            lastSuccessAt.set(at.getEpochSecond());
        } else {
            lastError = r.error();
            failures.increment();
        }
    }

    /** The {@code status} line: one JSON object (docs/pop3-connector.md). */
    synchronized String json(Account a) {
        return "{\"account\":" + quote(a.name()) + ",\"host\":" + quote(a.host()) + ",\"port\":" + a.port()
                + ",\"security\":" + quote(a.security().name().toLowerCase(Locale.ROOT)) + ",\"user\":" + quote(a.user())
                + ",\"intervalMinutes\":" + a.intervalMinutes()
                + ",\"lastRun\":" + (lastRun == null ? "null" : quote(lastRun.toString()))
                + ",\"lastSuccess\":" + (lastSuccess == null ? "null" : quote(lastSuccess.toString()))
                + ",\"downloaded\":" + downloaded + ",\"failed\":" + failed
                + ",\"lastRunDownloaded\":" + (last == null ? 0 : last.transferred())
                + ",\"lastRunFailed\":" + (last == null ? 0 : last.failed())
                + ",\"lastError\":" + (lastError == null ? "null" : quote(lastError))
                + ",\"running\":" + running + "}";
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
