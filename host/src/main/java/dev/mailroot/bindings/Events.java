package dev.mailroot.bindings;

import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.protocol.OnAuthSink;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.OnEndOfDataSink;
import dev.mailroot.sink.protocol.OnHeloSink;
import dev.mailroot.sink.protocol.OnMailFromSink;
import dev.mailroot.sink.protocol.OnRcptToSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The event names a binding may name, the IIS and Exchange names accepted for them, and their sink interfaces. */
public final class Events {
    /** Fires once per accepted message, SMTP or pickup, after it is spooled and before delivery. */
    public static final String ON_SUBMISSION = "OnSubmission";
    /** Protocol event: a client connected (before the greeting), or mail without a session begins. */
    public static final String ON_CONNECT = "OnConnect";
    /** Protocol event: HELO or EHLO. */
    public static final String ON_HELO = "OnHelo";
    /** Protocol event: a successful SMTP AUTH (SMTP sessions only). */
    public static final String ON_AUTH = "OnAuth";
    /** Protocol event: MAIL FROM. */
    public static final String ON_MAIL_FROM = "OnMailFrom";
    /** Protocol event: each RCPT TO. */
    public static final String ON_RCPT_TO = "OnRcptTo";
    /** Protocol event: the end of DATA, before the final reply. */
    public static final String ON_END_OF_DATA = "OnEndOfData";

    /** Transport event: the outbound queue is about to send a message to one destination (each attempt). */
    public static final String ON_REMOTE_DELIVERY = "OnRemoteDelivery";

    /** The protocol events, in the order they fire in a session. */
    public static final List<String> PROTOCOL = List.of(ON_CONNECT, ON_HELO, ON_AUTH, ON_MAIL_FROM, ON_RCPT_TO, ON_END_OF_DATA);

    /** Every event, protocol events first (the order of a message's life). */
    public static final List<String> ALL = List.of(ON_CONNECT, ON_HELO, ON_AUTH, ON_MAIL_FROM, ON_RCPT_TO, ON_END_OF_DATA,
            ON_SUBMISSION, ON_REMOTE_DELIVERY);

    /**
     * The events whose sinks answer with a {@code Verdict} (the protocol events and OnRemoteDelivery):
     * a 5 s time limit by default and {@code onError} {@code continue} or {@code tempfail}.
     */
    public static final List<String> VERDICT = List.of(ON_CONNECT, ON_HELO, ON_AUTH, ON_MAIL_FROM, ON_RCPT_TO, ON_END_OF_DATA,
            ON_REMOTE_DELIVERY);

    /** The IIS event whose rule names the SMTP command: mapped by {@link #inboundCommand(String)}. */
    public static final String IIS_INBOUND_COMMAND = "SMTP Protocol OnInboundCommand";

    private Events() {
    }

    /**
     * The canonical name for {@code name}, case-insensitive: itself; for OnSubmission the IIS names
     * {@code OnArrival}, {@code OnTransportSubmission} and {@code SMTP Transport OnSubmission}; for
     * the protocol events the Exchange receive-agent names ({@code OnEhlo}, {@code OnHeloCommand},
     * {@code OnMailCommand}, {@code OnRcptCommand}, {@code OnEndOfData}); empty if unknown.
     * {@code SMTP Protocol OnInboundCommand} is not here: it needs the rule ({@link #inboundCommand}).
     */
    public static Optional<String> canonical(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT)) {
            case "onsubmission", "onarrival", "ontransportsubmission", "smtp transport onsubmission" ->
                    Optional.of(ON_SUBMISSION);
            case "onconnect", "onconnectevent", "smtp protocol onconnect" -> Optional.of(ON_CONNECT);
            case "onhelo", "onehlo", "onhelocommand", "onehlocommand", "smtp protocol onhelo" -> Optional.of(ON_HELO);
            case "onauth", "onauthcommand", "smtp protocol onauth" -> Optional.of(ON_AUTH);
            case "onmailfrom", "onmailcommand", "smtp protocol onmailfrom" -> Optional.of(ON_MAIL_FROM);
            case "onrcptto", "onrcptcommand", "smtp protocol onrcptto" -> Optional.of(ON_RCPT_TO);
            case "onendofdata", "smtp protocol onendofdata" -> Optional.of(ON_END_OF_DATA);
            case "onremotedelivery", "smtp transport onremotedelivery" -> Optional.of(ON_REMOTE_DELIVERY);
            default -> Optional.empty();
        };
    }

    /** Whether {@code name} is IIS's {@code SMTP Protocol OnInboundCommand} (or {@code OnInboundCommand}), any case. */
    public static boolean isInboundCommand(String name) {
        if (name == null) {
            return false;
        }
        String n = name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        return n.equals("smtp protocol oninboundcommand") || n.equals("oninboundcommand");
    }

    /**
     * An IIS {@code OnInboundCommand} binding mapped to a Mailroot event: the event and the rule that
     * remains.
     *
     * @param event the canonical event
     * @param rule  the rule to keep (null: always)
     */
    public record Mapped(String event, String rule) {
    }

    /**
     * Maps the rule of an IIS {@code SMTP Protocol OnInboundCommand} binding, which names the command
     * the sink wants: {@code EHLO} or {@code HELO} → OnHelo, {@code MAIL} → OnMailFrom, {@code RCPT}
     * → OnRcptTo, {@code DATA} → OnEndOfData (Mailroot calls it when the message is complete); an IIS
     * clause such as {@code mail from=*@example.com} keeps its pattern as the rule.
     *
     * @throws IllegalArgumentException naming the verb that does not map, and why
     */
    public static Mapped inboundCommand(String rule) {
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("an OnInboundCommand binding needs a rule naming the command "
                    + "(EHLO, HELO, MAIL, RCPT or DATA); Mailroot binds each command to its own event");
        }
        String event = null;
        List<String> kept = new ArrayList<>();
        for (String part : rule.split(";")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String verb = (eq < 0 ? p : p.substring(0, eq)).strip().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
            String e = switch (verb) {
                case "EHLO", "HELO" -> ON_HELO;
                case "AUTH" -> ON_AUTH;
                case "MAIL", "MAIL FROM" -> ON_MAIL_FROM;
                case "RCPT", "RCPT TO" -> ON_RCPT_TO;
                case "DATA", "BDAT" -> ON_END_OF_DATA;
                default -> throw new IllegalArgumentException("the command '" + verb + "' in OnInboundCommand rule '" + rule
                        + "' has no Mailroot event (events exist for EHLO/HELO, AUTH, MAIL, RCPT and DATA)");
            };
            if (event != null && !event.equals(e)) {
                throw new IllegalArgumentException("OnInboundCommand rule '" + rule + "' names commands of two events ("
                        + event + " and " + e + "); make one binding per command");
            }
            event = e;
            if (eq >= 0) {
                kept.add(p);
            }
        }
        if (event == null) {
            throw new IllegalArgumentException("OnInboundCommand rule '" + rule + "' names no command");
        }
        return new Mapped(event, kept.isEmpty() ? null : String.join(";", kept));
    }

    /** Whether {@code event} (canonical) is a protocol event. */
    public static boolean isProtocol(String event) {
        return PROTOCOL.contains(event);
    }

    /** Whether {@code event} (canonical) is one whose sinks answer with a verdict ({@link #VERDICT}). */
    public static boolean isVerdict(String event) {
        return VERDICT.contains(event);
    }

    /** The interface a sink class must implement for {@code event} (canonical). */
    public static Class<?> sinkInterface(String event) {
        return switch (event) {
            case ON_SUBMISSION -> OnSubmissionSink.class;
            case ON_CONNECT -> OnConnectSink.class;
            case ON_HELO -> OnHeloSink.class;
            case ON_AUTH -> OnAuthSink.class;
            case ON_MAIL_FROM -> OnMailFromSink.class;
            case ON_RCPT_TO -> OnRcptToSink.class;
            case ON_END_OF_DATA -> OnEndOfDataSink.class;
            case ON_REMOTE_DELIVERY -> dev.mailroot.sink.protocol.OnRemoteDeliverySink.class;
            default -> throw new IllegalArgumentException("unknown event " + event);
        };
    }

    /** The events whose sink interface {@code cls} implements, in {@link #ALL} order. */
    public static List<String> implementedBy(Class<?> cls) {
        List<String> out = new ArrayList<>();
        for (String e : ALL) {
            if (sinkInterface(e).isAssignableFrom(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The names {@link #canonical} and {@link #inboundCommand} accept, for error messages. */
    public static String known() {
        return "OnSubmission (IIS: OnArrival, OnTransportSubmission, SMTP Transport OnSubmission), OnConnect, OnHelo, "
                + "OnAuth, OnMailFrom, OnRcptTo, OnEndOfData (Exchange: OnEhlo, OnAuthCommand, OnMailCommand, OnRcptCommand), "
                + "OnRemoteDelivery, "
                + "or SMTP Protocol OnInboundCommand with the command as the rule";
    }
}
