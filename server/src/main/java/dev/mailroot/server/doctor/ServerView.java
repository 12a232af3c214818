package dev.mailroot.server.doctor;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * How the doctor sees the running server: over its admin endpoint from {@code bin/mailroot doctor},
 * or directly from inside the server. Every answer is the admin endpoint's body, so one reading of
 * it serves both.
 */
public interface ServerView {

    /** A connector command's answer: its HTTP-like status (200 ok, 500 failed) and report. */
    record Answer(int status, String body) {
    }

    /** {@code GET /health}'s JSON; empty when the server is not running. */
    Optional<String> health() throws IOException;

    /** {@code GET /bindings}'s JSON. */
    String bindings() throws IOException;

    /** {@code GET /queue}'s JSON lines. */
    String queue() throws IOException;

    /** {@code POST /connectors/<plugin>/<command>}: empty when no such plugin runs. */
    Optional<Answer> connector(String plugin, String command, Duration timeout) throws IOException;

    /** A view of no server: every check that needs one is skipped. */
    ServerView NONE = new ServerView() {
        @Override
        public Optional<String> health() {
            return Optional.empty();
        }

        @Override
        public String bindings() {
            return "{\"bindings\":[]}";
        }

        @Override
        public String queue() {
            return "";
        }

        @Override
        public Optional<Answer> connector(String plugin, String command, Duration timeout) {
            return Optional.empty();
        }
    };
}
