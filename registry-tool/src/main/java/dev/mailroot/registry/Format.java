package dev.mailroot.registry;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.ControlCharacters;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/** The output shapes: smtpreg.vbs's {@code /enum} block for people, JSON for scripts. */
final class Format {
    /**
     * For scripts. Jackson escapes C0 controls itself; DEL, C1 controls, the Unicode line
     * separators and bidi controls are escaped too ({@code \u009b}), so JSON printed to a terminal
     * is as safe as the human output.
     */
    static final ObjectMapper JSON = jsonMapper();

    private Format() {
    }

    private static ObjectMapper jsonMapper() {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        m.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
        return m;
    }

    private static final class TerminalSafeEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalSafeEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch <= Character.MAX_VALUE && ControlCharacters.isControl((char) ch)
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    /** One binding in the smtpreg {@code /enum} shape, with its live status. */
    static void binding(Terminal out, Binding b, String status) {
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
