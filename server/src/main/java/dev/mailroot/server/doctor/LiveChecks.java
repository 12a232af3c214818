package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.outbound.QueueView;
import dev.mailroot.server.spool.Spool;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks that read the server's state, live when it runs: the queue (MR8005), the bindings
 * (MR8008, the status words of {@link BindingStatus}, as {@code registry enum} shows them), the POP3
 * connector's accounts (MR8009).
 */
final class LiveChecks {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration QUEUE_WARN = Duration.ofHours(1);
    static final int DEFERRED_WARN = 100;
    static final Duration POP3_TIMEOUT = Duration.ofSeconds(60);

    private LiveChecks() {
    }

    static Check queue(Subject s) throws IOException {
        String name = "queue";
        String lines = s.running() ? s.server().queue()
                : Files.isDirectory(s.home().queue()) ? QueueView.lines(Spool.readOnly(s.home().queue()), s.now()) : "";
        int messages = 0;
        int deferred = 0;
        int held = 0;
        long oldest = 0;
        String oldestId = null;
        for (String line : lines.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode m = JSON.readTree(line);
            messages++;
            if (m.path("ageSeconds").asLong() >= oldest) {
                oldest = m.path("ageSeconds").asLong();
                oldestId = m.path("id").asText();
            }
            for (JsonNode r : m.path("recipients")) {
                switch (r.path("state").asText()) {
                    case "deferred" -> deferred++;
                    case "held" -> held++;
                    default -> {
                    }
                }
            }
        }
        if (messages == 0) {
            return Check.ok(name, "MR8005", "the queue is empty" + (s.running() ? "" : " (read from the stopped server's spool)"));
        }
        String found = messages + " message(s), " + deferred + " deferred and " + held + " held recipient(s); the oldest "
                + oldestId + " for " + Ages.of(Duration.ofSeconds(oldest)) + (s.running() ? "" : " (server not running: nothing moves)");
        Duration lifetime = MailrootConfig.Outbound.duration(s.config().outbound().lifetime());
        if (Duration.ofSeconds(oldest).compareTo(lifetime.dividedBy(2)) > 0) {
            return new Check(name, "MR8005", Check.Status.FAIL, found + ", past half of outbound.lifetime (" + s.config().outbound().lifetime()
                    + ")", "bin/mailroot queue list shows each recipient's last error; fix the destination or the route, then "
                    + "bin/mailroot queue flush");
        }
        if (Duration.ofSeconds(oldest).compareTo(QUEUE_WARN) > 0 || deferred > DEFERRED_WARN || !s.running()) {
            return new Check(name, "MR8005", Check.Status.WARN, found, s.running()
                    ? "bin/mailroot queue list --older-than 1h shows the last errors; bin/mailroot queue stats groups them"
                    : "start the server");
        }
        return Check.ok(name, "MR8005", found);
    }

    static Check bindings(Subject s) throws IOException {
        String name = "bindings";
        List<String> fails = new ArrayList<>();
        List<String> byChoice = new ArrayList<>();
        int count = 0;
        if (s.running()) {
            for (JsonNode b : JSON.readTree(s.server().bindings()).path("bindings")) {
                count++;
                String label = "'" + b.path("name").asText() + "' " + b.path("id").asText();
                String status = b.path("status").asText();
                if (status.startsWith("disabled by server")) {
                    fails.add(label + ": " + status);
                } else if (!b.path("enabled").asBoolean()) {
                    byChoice.add(label + ": disabled");
                } else if (!status.equals(BindingStatus.OK)) {
                    fails.add(label + ": " + status);
                }
            }
        } else {
            try {
                for (Binding b : new BindingStore(s.home().bindingsFile()).read().bindings()) {
                    count++;
                    String label = "'" + b.name() + "' " + b.id();
                    if (b.failure() != null) {
                        fails.add(label + ": " + BindingStatus.of(b, true));
                    } else if (!b.enabled()) {
                        byChoice.add(label + ": disabled");
                    }
                }
            } catch (BindingStoreException e) {
                return new Check(name, "MR8008", Check.Status.FAIL, e.getMessage(), "registry verify names the problem; fix the file");
            }
        }
        String where = s.running() ? "" : " (server not running: whether each sink loads was not checked)";
        if (!fails.isEmpty()) {
            return new Check(name, "MR8008", Check.Status.FAIL, String.join("; ", fails) + where,
                    "registry enum shows each binding; put the plugin jar in plugins/, then registry enable <id> (or registry "
                            + "reregister <plugin>)");
        }
        // disabled by an administrator (or shipped disabled by its plugin) is a choice, as registry verify sees it
        String disabled = byChoice.isEmpty() ? "" : "; disabled by choice: " + String.join("; ", byChoice).replace(": disabled", "");
        return Check.ok(name, "MR8008", count + " binding(s), the enabled ones" + (s.running() ? " with their sinks loaded" : "")
                + disabled + where);
    }

    static Check pop3(Subject s) throws IOException {
        String name = "pop3";
        if (!s.running()) {
            return Check.skip(name, "MR8009", Subject.NOT_RUNNING + " (bin/mailroot pop3-check works without it)");
        }
        if (!Files.exists(s.home().conf().resolve("pop3-connector.yaml"))) {
            // the connector is bundled and loaded in every home: without accounts it is not in use
            return Check.skip(name, "MR8009", "no POP3 accounts (no conf/pop3-connector.yaml): the connector is not in use");
        }
        Optional<ServerView.Answer> a = s.server().connector("pop3-connector", "check", POP3_TIMEOUT);
        if (a.isEmpty()) {
            return Check.skip(name, "MR8009", "the POP3 connector plugin is not loaded");
        }
        String report = a.get().body().strip();
        String last = report.isEmpty() ? "" : report.substring(report.lastIndexOf('\n') + 1);
        if (a.get().status() != 200) {
            return new Check(name, "MR8009", Check.Status.FAIL, "an account failed: " + report.replaceAll("\\s+", " "),
                    "bin/mailroot pop3-check shows each account's dialogue; correct conf/pop3-connector.yaml");
        }
        return Check.ok(name, "MR8009", last.isEmpty() ? "every account reachable" : last);
    }
}
