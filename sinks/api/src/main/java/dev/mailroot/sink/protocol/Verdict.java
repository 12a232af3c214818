package dev.mailroot.sink.protocol;

import java.util.Objects;

/**
 * What a protocol sink decides about the command (or message) it was shown.
 *
 * <ul>
 *   <li>{@link #proceed()}: no objection; the next sink of the event runs (the usual answer).</li>
 *   <li>{@link #accept()}: accepted; the remaining sinks of <em>this event</em> do not run (an allow
 *       list that trumps later block lists). Later events still fire.</li>
 *   <li>{@link #reject(SmtpReply)}: refused with this reply. At OnConnect the connection is refused;
 *       at OnHelo the HELO/EHLO is refused and later MAIL commands too; at OnMailFrom the
 *       transaction; at OnRcptTo only this recipient; at OnEndOfData the message. For mail that
 *       did not come over SMTP (pickup, connectors, sinks) a reject sends the message to badmail
 *       with the reply as the reason (at OnRcptTo: that recipient only).</li>
 *   <li>{@link #disconnect(SmtpReply)}: the reply (a {@code 421} by default), then the connection
 *       is closed. For mail without a session it is a reject.</li>
 *   <li>{@link #discard(String)} (OnEndOfData only): the client gets {@code 250}, the message is
 *       dropped and the drop recorded in the message tracking log with the reason.</li>
 *   <li>{@link #quarantine(String)} (OnEndOfData only): the client gets {@code 250}, the message is
 *       kept in {@code mailroot/quarantine/} with a reason file, not delivered.</li>
 * </ul>
 *
 * <p>Discard and quarantine returned from another event are a failure of the binding (its
 * {@code onError} applies).
 *
 * @param kind   what
 * @param reply  the reply of a reject or disconnect; null otherwise
 * @param reason why, for discard and quarantine (and the log); never null
 */
public record Verdict(Kind kind, SmtpReply reply, String reason) {

    /** The kinds of verdict. */
    public enum Kind {
        PROCEED, ACCEPT, REJECT, DISCONNECT, DISCARD, QUARANTINE
    }

    private static final Verdict PROCEED = new Verdict(Kind.PROCEED, null, "");
    private static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null, "");
    /** The reply of {@link #disconnect()}. */
    public static final SmtpReply CLOSING = SmtpReply.of(421, "4.7.0", "closing connection");

    public Verdict {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null ? "" : reason;
        if ((kind == Kind.REJECT || kind == Kind.DISCONNECT) && reply == null) {
            throw new IllegalArgumentException(kind + " needs a reply");
        }
    }

    /** No objection: the next sink runs. */
    public static Verdict proceed() {
        return PROCEED;
    }

    /** Accepted: the remaining sinks of this event are skipped. */
    public static Verdict accept() {
        return ACCEPT;
    }

    /** Refused with {@code reply}. */
    public static Verdict reject(SmtpReply reply) {
        return new Verdict(Kind.REJECT, Objects.requireNonNull(reply, "reply"), reply.toString());
    }

    /** Refused with {@code code enhanced text}, validated as {@link SmtpReply#of}. */
    public static Verdict reject(int code, String enhanced, String text) {
        return reject(SmtpReply.of(code, enhanced, text));
    }

    /** {@code reply}, then the connection is closed. */
    public static Verdict disconnect(SmtpReply reply) {
        return new Verdict(Kind.DISCONNECT, Objects.requireNonNull(reply, "reply"), reply.toString());
    }

    /** {@code 421 4.7.0 closing connection}, then the connection is closed. */
    public static Verdict disconnect() {
        return disconnect(CLOSING);
    }

    /** OnEndOfData: answered {@code 250}, dropped, recorded with {@code reason}. */
    public static Verdict discard(String reason) {
        return new Verdict(Kind.DISCARD, null, Objects.requireNonNull(reason, "reason"));
    }

    /** OnEndOfData: answered {@code 250}, kept in {@code mailroot/quarantine/} with {@code reason}. */
    public static Verdict quarantine(String reason) {
        return new Verdict(Kind.QUARANTINE, null, Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the event's remaining sinks are skipped (anything but {@link #proceed()}). */
    public boolean ends() {
        return kind != Kind.PROCEED;
    }
}
