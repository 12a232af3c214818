package dev.mailroot.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import dev.mailroot.server.config.MailrootConfig;

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
 * @param home      the server's home folder ({@code bin/mailroot wait} checks it is the one it waits for)
 * @param listeners every SMTP listener with the port it bound: name, address, TLS mode, anonymous, AUTH
 * @param pid       the server's process id ({@code bin/mailroot doctor} tells the server's open files from others')
 */
public record Health(int spool, int inFlight, int waiting, List<String> plugins, String smtp, String home,
                     List<MailrootConfig.Listener> listeners, long pid) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Health {
        plugins = plugins.stream().sorted().toList();
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
    }

    /** A health report without listener details, of this process. */
    public Health(int spool, int inFlight, int waiting, List<String> plugins, String smtp, String home) {
        this(spool, inFlight, waiting, plugins, smtp, home, List.of(), ProcessHandle.current().pid());
    }

    /**
     * One line of JSON: {@code {"status":"ok","spool":0,"inFlight":0,"waiting":0,"plugins":[...],"smtp":"127.0.0.1:2525",
     * "home":"/srv/mailroot","pid":4711,"listeners":[{"name":"mx","address":"127.0.0.1:2525","tls":"starttls",
     * "anonymous":true,"auth":true}]}}.
     */
    public String json() {
        ObjectNode n = JSON.createObjectNode().put("status", "ok").put("spool", spool).put("inFlight", inFlight)
                .put("waiting", waiting);
        plugins.forEach(n.putArray("plugins")::add);
        n.put("smtp", smtp).put("home", home).put("pid", pid);
        com.fasterxml.jackson.databind.node.ArrayNode ls = n.putArray("listeners");
        for (MailrootConfig.Listener l : listeners) {
            String host = l.bind().contains(":") ? "[" + l.bind() + "]" : l.bind();
            ls.addObject().put("name", l.name()).put("address", host + ":" + l.port()).put("tls", l.tls())
                    .put("anonymous", l.anonymous()).put("auth", l.auth());
        }
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
