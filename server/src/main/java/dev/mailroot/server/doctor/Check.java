package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * The verdict of one doctor check: what was looked at ({@code name}), its event id in
 * {@code docs/events.md}, how it went, what was found and what to do about it.
 *
 * @param name    the check's short name ({@code folders}, {@code open-relay})
 * @param eventId the check's event id ({@code MR8003})
 * @param status  ok, warn, fail or skip
 * @param detail  what was found, one line
 * @param remedy  what to do, one line; empty when there is nothing to do
 */
public record Check(String name, String eventId, Status status, String detail, String remedy) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a check went: {@code FAIL} makes {@code bin/mailroot doctor} exit 1. */
    public enum Status {
        OK, WARN, FAIL, SKIP;

        /** The word printed: {@code ok}, {@code warn}, {@code fail}, {@code skip}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Check {
        detail = oneLine(detail);
        remedy = remedy == null ? "" : oneLine(remedy);
    }

    static Check ok(String name, String id, String detail) {
        return new Check(name, id, Status.OK, detail, "");
    }

    static Check skip(String name, String id, String why) {
        return new Check(name, id, Status.SKIP, why, "");
    }

    /** {@code warn  folders      MR8003  <detail> -- <remedy>}: the line {@code bin/mailroot doctor} prints. */
    public String line() {
        return String.format(Locale.ROOT, "%-4s  %-14s %s  %s%s", status.word(), name, eventId, detail,
                remedy.isEmpty() ? "" : " -- " + remedy);
    }

    /** {@code {"name","id","status","detail","remedy"}} on one line. */
    public String json() {
        ObjectNode n = JSON.createObjectNode().put("name", name).put("id", eventId).put("status", status.word())
                .put("detail", detail).put("remedy", remedy);
        return n.toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
