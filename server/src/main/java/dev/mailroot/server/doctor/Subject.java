package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroot.server.Home;
import dev.mailroot.server.config.MailrootConfig;

import java.time.Instant;

/**
 * What one doctor run looks at: the home and its configuration, the server's {@code /health}
 * (null when it is not running), the server itself, and the time.
 */
record Subject(Home home, MailrootConfig config, ServerView server, JsonNode health, Instant now, Instant since, boolean relayTest) {
    static final String NOT_RUNNING = "server not running";

    boolean running() {
        return health != null;
    }
}
