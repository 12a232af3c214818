package dev.mailroot.server.delivery;

import dev.mailroot.server.delivery.LmtpConnection.LmtpProtocolException;
import dev.mailroot.server.delivery.LmtpOutcome.Kind;
import dev.mailroot.server.message.MessageContent;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Hands a message to an LMTP server (RFC 2033), such as Dovecot's {@code lmtp}, over TCP
 * ({@link java.net.InetSocketAddress}) or a Unix domain socket ({@link UnixDomainSocketAddress}),
 * and reports what became of each recipient.
 *
 * <p>One call is one connection: greeting, {@code LHLO}, {@code MAIL FROM} (with
 * {@code BODY=8BITMIME} when the message has 8-bit bytes and the server offers it), one
 * {@code RCPT TO} per recipient, {@code DATA} and the message (CRLF line ends, dot-stuffed, see
 * {@link LmtpData}), then one reply per accepted recipient, then {@code QUIT}. The result has one
 * {@link LmtpOutcome} per recipient, in the caller's order: {@link Kind#DELIVERED} for a 2xx,
 * {@link Kind#PERMANENT} for a 5xx, {@link Kind#TEMPORARY} for a 4xx. A connection that fails,
 * breaks or times out, a greeting or {@code LHLO} refused, or a 4xx to {@code MAIL FROM} or
 * {@code DATA}, makes every recipient still without a reply {@link Kind#TEMPORARY}, with the cause
 * (a 5xx to {@code MAIL FROM} or {@code DATA}: {@link Kind#PERMANENT}). Recipients whose final reply
 * was read before a connection broke keep it: the server has their copy.
 *
 * <p>Waits are bounded: connecting by {@code connectTimeout}, each reply (all its lines) and each
 * stalled write by {@code replyTimeout}. A host name is resolved by the system resolver, without a
 * time limit; give an address or a socket path where that matters.
 *
 * <p>Immutable and thread-safe: calls share nothing, each opens and closes its own connection.
 * It logs nothing, so it can never log a message's body; the caller logs the outcomes. Not done:
 * pipelining, {@code CHUNKING}/{@code BDAT}, TLS, and reusing a connection for several messages
 * (which would save a connect and an {@code LHLO}, under a millisecond on loopback, and cost an
 * {@code RSET} between messages and care with a server that closed an idle connection).
 */
public final class LmtpClient {
    private final String clientName;
    private final Duration connectTimeout;
    private final Duration replyTimeout;

    /**
     * @param clientName     the name sent with {@code LHLO} (this host's name)
     * @param connectTimeout the longest wait for the connection
     * @param replyTimeout   the longest wait for each reply and for each stalled write
     */
    public LmtpClient(String clientName, Duration connectTimeout, Duration replyTimeout) {
        if (clientName.isEmpty() || clientName.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("not a host name for LHLO: " + clientName);
        }
        this.clientName = clientName;
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.replyTimeout = positive(replyTimeout, "replyTimeout");
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /**
     * Delivers {@code message} to {@code recipients} through the LMTP server at {@code server}.
     * Never throws for anything the server or the network does: that is in the outcomes.
     *
     * @param server     an {@link java.net.InetSocketAddress} or a {@link UnixDomainSocketAddress}
     * @param sender     the envelope sender, {@code ""} for the null sender {@code <>}
     * @param recipients the envelope recipients, at least one
     * @param message    the message as stored; bare LF line ends are fine
     * @return one outcome per recipient, in the order of {@code recipients}
     */
    public List<LmtpOutcome> deliver(SocketAddress server, String sender, List<String> recipients,
                                     MessageContent message) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(message, "message");
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        LmtpOutcome[] outcomes = new LmtpOutcome[recipients.size()];
        Transaction t = new Transaction(server, sender, List.copyOf(recipients), message, outcomes);
        t.run();
        return List.of(outcomes);
    }

    /** One call's state: what was sent so far decides what a failure means. */
    private final class Transaction {
        private final SocketAddress server;
        private final String sender;
        private final List<String> recipients;
        private final MessageContent message;
        private final LmtpOutcome[] outcomes;
        private String step = "connect";

        Transaction(SocketAddress server, String sender, List<String> recipients, MessageContent message,
                    LmtpOutcome[] outcomes) {
            this.server = server;
            this.sender = sender;
            this.recipients = recipients;
            this.message = message;
            this.outcomes = outcomes;
        }

        void run() {
            if (!checkAddresses(true)) {
                return;
            }
            boolean eightBit;
            try {
                eightBit = LmtpData.eightBit(message);
            } catch (IOException e) {
                fillLocal(Kind.TEMPORARY, "4.3.0", "cannot read the message: " + e.getMessage());
                return;
            }
            LmtpConnection c;
            try {
                c = LmtpConnection.open(server, connectTimeout, replyTimeout);
            } catch (IOException e) {
                fillLocal(Kind.TEMPORARY, "4.4.1", "cannot connect to " + LmtpConnection.describe(server) + ": " + cause(e));
                return;
            }
            try (c) {
                converse(c, eightBit);
            } catch (LocalReadException e) {
                fillLocal(Kind.TEMPORARY, "4.3.0", "cannot read the message: " + e.getMessage());
            } catch (LmtpProtocolException e) {
                fillLocal(Kind.TEMPORARY, "4.5.0", "LMTP protocol error at " + step + ": " + e.getMessage());
            } catch (IOException e) {
                fillLocal(Kind.TEMPORARY, "4.4.2", cause(e) + " (at " + step + ", " + LmtpConnection.describe(server) + ")");
            }
        }

        private void converse(LmtpConnection c, boolean eightBit) throws IOException {
            step = "greeting";
            LmtpReply greeting = c.reply();
            if (greeting.code() != 220) {
                fillReply(greeting, Kind.TEMPORARY);
                return;
            }
            step = "LHLO";
            c.command("LHLO " + clientName);
            LmtpReply lhlo = c.reply();
            if (lhlo.code() != 250) {
                fillReply(lhlo, Kind.TEMPORARY);
                quit(c);
                return;
            }
            Set<String> extensions = extensions(lhlo);
            if (!checkAddresses(extensions.contains("SMTPUTF8"))) {
                quit(c);
                return;
            }
            List<Integer> accepted = envelope(c, extensions, eightBit);
            if (!accepted.isEmpty()) {
                data(c, accepted);
            }
            quit(c);
        }

        /** MAIL FROM and one RCPT TO per recipient; the indexes of the recipients accepted. */
        private List<Integer> envelope(LmtpConnection c, Set<String> extensions, boolean eightBit) throws IOException {
            step = "MAIL FROM";
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(sender).append('>');
            if (eightBit && extensions.contains("8BITMIME")) {
                mail.append(" BODY=8BITMIME");
            }
            boolean utf8 = !ascii(sender);
            for (int i = 0; i < recipients.size(); i++) {
                utf8 |= outcomes[i] == null && !ascii(recipients.get(i));
            }
            if (utf8) {
                mail.append(" SMTPUTF8");
            }
            c.command(mail.toString());
            LmtpReply from = c.reply();
            if (!from.positive()) {
                fillReply(from, from.code() / 100 == 5 ? Kind.PERMANENT : Kind.TEMPORARY);
                return List.of();
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) {
                if (outcomes[i] != null) {
                    continue;
                }
                step = "RCPT TO";
                c.command("RCPT TO:<" + recipients.get(i) + ">");
                LmtpReply rcpt = c.reply();
                if (rcpt.positive()) {
                    accepted.add(i);
                } else {
                    outcomes[i] = rcpt.outcome(recipients.get(i));
                }
            }
            return accepted;
        }

        private void data(LmtpConnection c, List<Integer> accepted) throws IOException {
            step = "DATA";
            c.command("DATA");
            LmtpReply data = c.reply();
            if (data.code() != 354) {
                fillReply(data, data.code() / 100 == 5 ? Kind.PERMANENT : Kind.TEMPORARY);
                return;
            }
            step = "the message";
            LmtpData.send(message, c);
            for (int i : accepted) {
                step = "the reply for <" + recipients.get(i) + "> after the message";
                outcomes[i] = c.reply().outcome(recipients.get(i));
            }
        }

        /** A polite goodbye; the outcomes are settled, so nothing here can change them. */
        private void quit(LmtpConnection c) {
            try {
                c.command("QUIT");
                c.reply();
            } catch (IOException e) {
                // the server may close at once after the last reply; that is fine
            }
        }

        /**
         * Refuses, without sending them, addresses that cannot be written in a command (a line
         * break, a control character, angle brackets: they would inject commands) and, once the
         * server's extensions are known, non-ASCII ones it cannot take. False when none is left.
         */
        private boolean checkAddresses(boolean smtputf8) {
            String senderProblem = problem(sender, smtputf8);
            if (senderProblem != null) {
                String status = senderProblem.startsWith("non-ASCII") ? "5.6.7" : "5.1.7";
                fillLocal(Kind.PERMANENT, status, "sender <" + printable(sender) + ">: " + senderProblem);
                return false;
            }
            boolean any = false;
            for (int i = 0; i < recipients.size(); i++) {
                String problem = outcomes[i] == null ? problem(recipients.get(i), smtputf8) : null;
                if (problem != null) {
                    String status = problem.startsWith("non-ASCII") ? "5.6.7" : "5.1.3";
                    outcomes[i] = new LmtpOutcome(recipients.get(i), 0, status,
                            "<" + printable(recipients.get(i)) + ">: " + problem, Kind.PERMANENT);
                }
                any |= outcomes[i] == null;
            }
            return any;
        }

        private void fillReply(LmtpReply reply, Kind kind) {
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] == null) {
                    outcomes[i] = new LmtpOutcome(recipients.get(i), reply.code(), reply.enhancedStatus(), reply.text(), kind);
                }
            }
        }

        private void fillLocal(Kind kind, String status, String text) {
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] == null) {
                    outcomes[i] = new LmtpOutcome(recipients.get(i), 0, status, text, kind);
                }
            }
        }
    }

    private static Set<String> extensions(LmtpReply lhlo) {
        Set<String> keywords = new HashSet<>();
        for (String line : lhlo.lines().subList(1, lhlo.lines().size())) {
            String rest = line.length() > 4 ? line.substring(4).trim() : "";
            keywords.add(rest.split(" ", 2)[0].toUpperCase(Locale.ROOT));
        }
        return keywords;
    }

    private static String problem(String address, boolean smtputf8) {
        if (address.chars().anyMatch(c -> c < ' ' || c == 127 || c == '<' || c == '>')) {
            return "a control character or an angle bracket in the address";
        }
        if (!smtputf8 && !ascii(address)) {
            return "non-ASCII address and the server does not offer SMTPUTF8";
        }
        return null;
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private static String cause(IOException e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return m;
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Reading the message itself failed while sending it: our problem, not the server's. */
    static final class LocalReadException extends IOException {
        LocalReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
