package dev.mailroot.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * What {@code GET /health} says: the server is up, how much work it holds, which plugins are
 * loaded, and where SMTP listens ({@code bin/mailroot wait} prints it).
 *
 * @param spool    messages in the spool
 * @param inFlight messages being processed
 * @param waiting  messages waiting for a worker or a retry
 * @param plugins  the ids of the loaded plugins
 * @param smtp     the SMTP listener, {@code address:port}
 * @param home     the server's home folder ({@code bin/mailroot wait} checks it is the one it waits for)
 */
public record Health(int spool, int inFlight, int waiting, List<String> plugins, String smtp, String home) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Health {
        plugins = plugins.stream().sorted().toList();
    }

    /** One line of JSON: {@code {"status":"ok","spool":0,"inFlight":0,"waiting":0,"plugins":[...],"smtp":"127.0.0.1:2525","home":"/srv/mailroot"}}. */
    public String json() {
        ObjectNode n = JSON.createObjectNode().put("status", "ok").put("spool", spool).put("inFlight", inFlight)
                .put("waiting", waiting);
        plugins.forEach(n.putArray("plugins")::add);
        n.put("smtp", smtp).put("home", home);
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
