package dev.mailroot.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/** The output shapes: smtpreg.vbs's {@code /enum} block for people, JSON for scripts. */
final class Format {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Format() {
    }

    /** One binding in the smtpreg {@code /enum} shape, with its live status. */
    static void binding(PrintWriter out, Binding b, String status) {
        out.println("                        ---------");
        out.println("                       | Binding |");
        out.println("                        ---------");
        out.println("                                   Event: " + b.event());
        out.println("                                      ID: " + b.id());
        out.println("                                    Name: " + b.name());
        out.println("                               SinkClass: " + b.sinkClass());
        out.println("                                 Enabled: " + (b.enabled() ? "True" : "False"));
        out.println("                        SourceProperties: {");
        if (b.rule() != null) {
            out.println("                                           Rule = " + b.rule());
        }
        out.println("                                           Priority = " + b.priority());
        out.println("                                          }");
        if (!b.sinkProperties().isEmpty()) {
            out.println("                        SinkProperties    {");
            new TreeMap<>(b.sinkProperties()).forEach((k, v) ->
                    out.println("                                           " + k + " = " + v));
            out.println("                                          }");
        }
        if (status != null) {
            out.println("                                  Status: " + status);
        }
    }

    /** A binding as a JSON object: id, name, event, sinkClass, enabled, rule, priority, sinkProperties[, status]. */
    static ObjectNode json(Binding b, String status) {
        ObjectNode n = JSON.createObjectNode();
        BindingStore.putFields(b, n);
        if (status != null) {
            n.put("status", status);
        }
        return n;
    }

    static void print(PrintWriter out, Object json) {
        try {
            out.println(JSON.writeValueAsString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** "{k=v, ...}" sorted, for one-line summaries. */
    static String props(Map<String, String> p) {
        return new TreeMap<>(p).toString();
    }
}
