package dev.mailroot.server.outbound;

import dev.mailroot.server.message.DataStream;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.outbound.MxResolver.Route;
import dev.mailroot.server.outbound.MxResolver.Target;
import dev.mailroot.server.outbound.SmtpConnection.ProtocolException;
import dev.mailroot.server.outbound.SmtpSender.Attempt;
import dev.mailroot.server.outbound.SmtpSender.Recipient;
import dev.mailroot.server.outbound.SmtpSender.Settings;
import dev.mailroot.server.outbound.SmtpSender.TlsPolicy;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** One {@link SmtpSender#send} call: what was sent so far decides what a failure means. */
final class SmtpSession {
    private final Settings settings;
    private final SSLContext noVerification;
    private final ScheduledExecutorService watchdog;
    private final Route route;
    private final String mailFrom;
    private final List<Recipient> recipients;
    private final MessageContent content;
    private final SmtpReply[] results;
    private final List<String> transcript = new ArrayList<>();
    private Target used;
    private String remoteHost;
    private boolean tls;
    private String step = "connect";

    SmtpSession(Settings settings, SSLContext noVerification, ScheduledExecutorService watchdog, Route route,
                String mailFrom, List<Recipient> recipients, MessageContent content) {
        this.settings = settings;
        this.noVerification = noVerification;
        this.watchdog = watchdog;
        this.route = route;
        this.mailFrom = mailFrom;
        this.recipients = recipients;
        this.content = content;
        this.results = new SmtpReply[recipients.size()];
    }

    /** A target that did not get as far as {@code MAIL FROM}: its reply, and whether to retry it without TLS. */
    private static final class TargetFailure extends Exception {
        final SmtpReply reply;
        final boolean retryPlain;

        TargetFailure(SmtpReply reply, boolean retryPlain) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
            this.retryPlain = retryPlain;
        }
    }

    Attempt run() {
        if (!addressesWritable()) {
            return attempt();
        }
        boolean eightBit;
        try {
            eightBit = DataStream.eightBit(content);
        } catch (IOException e) {
            fillPending(SmtpReply.of(451, "4.3.0", "cannot read the message: " + e.getMessage()));
            return attempt();
        }
        SmtpReply failure = null;
        for (Target t : route.targets()) {
            remoteHost = t.host();
            try {
                tryTarget(t, eightBit, settings.tls());
                return attempt();
            } catch (TargetFailure f) {
                failure = f.reply;
                if (f.retryPlain) {
                    transcript.add("* retrying " + t + " without TLS");
                    try {
                        tryTarget(t, eightBit, TlsPolicy.NONE);
                        return attempt();
                    } catch (TargetFailure again) {
                        failure = again.reply;
                    }
                }
            }
        }
        fillPending(failure);
        return attempt();
    }

    private void tryTarget(Target t, boolean eightBit, TlsPolicy policy) throws TargetFailure {
        step = "connect";
        InetSocketAddress address;
        try {
            InetAddress ip = t.address() != null ? t.address() : InetAddress.getByName(t.host());
            address = new InetSocketAddress(ip, t.port());
        } catch (UnknownHostException e) {
            transcript.add("* " + t.host() + ": host not found");
            throw fail(t, "4.4.1", "host not found");
        }
        Target shown = new Target(t.host(), address.getAddress(), t.port());
        transcript.add("* connecting to " + shown);
        SmtpConnection c;
        try {
            c = SmtpConnection.open(address, settings.connectTimeout(), transcript, watchdog);
        } catch (SocketTimeoutException e) {
            transcript.add("* connection timed out");
            throw fail(shown, "4.4.1", "connection timed out");
        } catch (ConnectException e) {
            transcript.add("* connection refused");
            throw fail(shown, "4.4.1", "connection refused");
        } catch (IOException e) {
            transcript.add("* cannot connect: " + e.getMessage());
            throw fail(shown, "4.4.1", "cannot connect: " + e.getMessage());
        }
        try (c) {
            Map<String, String> extensions;
            try {
                extensions = open(c, shown, policy);
            } catch (IOException e) {
                transcript.add("* " + cause(e) + " at " + step);
                throw fail(shown, step.equals("greeting") ? "4.4.1" : "4.4.2", cause(e) + " at " + step);
            }
            used = shown;
            tls = c.tls();
            transaction(c, shown, extensions, eightBit);
        } catch (IOException e) {
            // closing after the outcome is settled changes nothing
        }
    }

    /** Greeting, EHLO, STARTTLS, AUTH: the server's extensions, or why this target cannot be used. */
    private Map<String, String> open(SmtpConnection c, Target t, TlsPolicy policy) throws IOException, TargetFailure {
        step = "greeting";
        SmtpReply greeting = c.reply(settings.commandTimeout());
        if (!greeting.positive()) {
            throw fail(t, "4.4.1", "refused to talk to us: " + greeting);
        }
        remoteHost = greetingHost(greeting, t);
        Map<String, String> extensions = hello(c, t);
        if (policy != TlsPolicy.NONE) {
            extensions = startTls(c, t, policy, extensions);
        }
        if (settings.credentials() != null) {
            authenticate(c, t, extensions);
        }
        return extensions;
    }

    private Map<String, String> hello(SmtpConnection c, Target t) throws IOException, TargetFailure {
        step = "EHLO";
        c.command("EHLO " + settings.heloName());
        SmtpReply ehlo = c.reply(settings.commandTimeout());
        if (ehlo.positive()) {
            return extensions(c.lastLines());
        }
        if (ehlo.permanent()) {
            step = "HELO";
            c.command("HELO " + settings.heloName());
            SmtpReply helo = c.reply(settings.commandTimeout());
            if (helo.positive()) {
                return Map.of();
            }
            throw fail(t, "4.4.1", "refused HELO: " + helo);
        }
        throw fail(t, "4.4.1", "refused EHLO: " + ehlo);
    }

    private Map<String, String> startTls(SmtpConnection c, Target t, TlsPolicy policy, Map<String, String> extensions)
            throws IOException, TargetFailure {
        boolean required = policy == TlsPolicy.ENCRYPT;
        if (!extensions.containsKey("STARTTLS")) {
            if (required) {
                throw fail(t, "4.7.4", "TLS is required, but the server does not offer STARTTLS");
            }
            return extensions;
        }
        step = "STARTTLS";
        c.command("STARTTLS");
        SmtpReply r = c.reply(settings.commandTimeout());
        if (r.code() != 220) {
            if (required) {
                throw fail(t, "4.7.4", "TLS is required, but STARTTLS was refused: " + r);
            }
            transcript.add("* STARTTLS refused; going on without TLS");
            return extensions;
        }
        boolean verify = required && settings.verify();
        try {
            SSLContext context = verify ? verifying() : noVerification;
            c.startTls(context.getSocketFactory(), t.host(), t.port(), verify, settings.commandTimeout());
        } catch (ProtocolException e) {
            throw fail(t, "4.7.5", e.getMessage());
        } catch (IOException e) {
            transcript.add("* TLS handshake failed: " + cause(e));
            throw new TargetFailure(reply(t, "4.7.5", "TLS handshake failed: " + cause(e)), !required);
        }
        return hello(c, t);
    }

    private SSLContext verifying() throws IOException {
        if (settings.sslContext() != null) {
            return settings.sslContext();
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
    }

    private void authenticate(SmtpConnection c, Target t, Map<String, String> extensions) throws IOException, TargetFailure {
        if (!c.tls() && !settings.allowPlainAuth()) {
            throw fail(t, "4.7.0", "not sending credentials over a connection without TLS");
        }
        String mechanisms = extensions.get("AUTH");
        if (mechanisms == null) {
            transcript.add("* the server does not offer AUTH; going on without authenticating");
            return;
        }
        List<String> offered = List.of(mechanisms.toUpperCase(Locale.ROOT).split("[ =]+"));
        String user = settings.credentials().user();
        String password = settings.credentials().password();
        step = "AUTH";
        SmtpReply r;
        if (offered.contains("PLAIN")) {
            c.command("AUTH PLAIN " + base64("\0" + user + "\0" + password), "AUTH PLAIN <redacted>");
            r = c.reply(settings.commandTimeout());
        } else if (offered.contains("LOGIN")) {
            c.command("AUTH LOGIN");
            r = c.reply(settings.commandTimeout());
            if (r.code() == 334) {
                c.command(base64(user), "<redacted>");
                r = c.reply(settings.commandTimeout());
            }
            if (r.code() == 334) {
                c.command(base64(password), "<redacted>");
                r = c.reply(settings.commandTimeout());
            }
        } else {
            throw fail(t, "4.7.0", "no AUTH mechanism in common (offered: " + mechanisms + ")");
        }
        if (r.code() != 235) {
            throw fail(t, "4.7.0", "authentication failed: " + r);
        }
    }

    /** MAIL FROM, RCPT TO per recipient, DATA: from here on the attempt stays on this target. */
    private void transaction(SmtpConnection c, Target t, Map<String, String> extensions, boolean eightBit) {
        try {
            if (!fitsServer(t, extensions)) {
                quit(c);
                return;
            }
            step = "MAIL FROM";
            c.command(mailCommand(extensions, eightBit));
            SmtpReply from = c.reply(settings.commandTimeout());
            if (!from.positive()) {
                fillPending(from);
                quit(c);
                return;
            }
            List<Integer> accepted = new ArrayList<>();
            boolean dsn = extensions.containsKey("DSN");
            for (int i = 0; i < recipients.size(); i++) {
                if (results[i] != null) {
                    continue;
                }
                step = "RCPT TO";
                c.command(rcptCommand(recipients.get(i), dsn));
                SmtpReply rcpt = c.reply(settings.commandTimeout());
                if (rcpt.positive()) {
                    accepted.add(i);
                } else {
                    results[i] = rcpt;
                }
            }
            if (!accepted.isEmpty()) {
                data(c);
            }
            quit(c);
        } catch (DataStream.LocalReadException e) {
            fillPending(SmtpReply.of(451, "4.3.0", "cannot read the message: " + e.getMessage()));
        } catch (ProtocolException e) {
            transcript.add("* protocol error at " + step + ": " + e.getMessage());
            fillPending(reply(t, "4.5.0", "protocol error at " + step + ": " + e.getMessage()));
        } catch (IOException e) {
            transcript.add("* " + cause(e) + " at " + step);
            fillPending(reply(t, "4.4.2", "connection lost or timed out at " + step + ": " + cause(e)));
        }
    }

    /** Refuses, before MAIL FROM, what the server said it cannot take: a too-large message, non-ASCII addresses. */
    private boolean fitsServer(Target t, Map<String, String> extensions) {
        String size = extensions.get("SIZE");
        if (size != null && size.matches("\\d{1,18}") && Long.parseLong(size) > 0 && content.size() > Long.parseLong(size)) {
            fillPending(SmtpReply.of(552, "5.3.4", "message size " + content.size() + " exceeds the limit of "
                    + t.host() + " (" + size + " bytes)"));
            return false;
        }
        if (!extensions.containsKey("SMTPUTF8")) {
            if (!ascii(mailFrom)) {
                fillPending(SmtpReply.of(550, "5.6.7", "non-ASCII sender <" + mailFrom + "> and " + t.host()
                        + " does not offer SMTPUTF8"));
                return false;
            }
            for (int i = 0; i < recipients.size(); i++) {
                if (results[i] == null && !ascii(recipients.get(i).address())) {
                    results[i] = SmtpReply.of(550, "5.6.7", "non-ASCII address <" + recipients.get(i).address()
                            + "> and " + t.host() + " does not offer SMTPUTF8");
                }
            }
        }
        return pending() > 0;
    }

    private String mailCommand(Map<String, String> extensions, boolean eightBit) {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(mailFrom).append('>');
        if (extensions.containsKey("SIZE")) {
            mail.append(" SIZE=").append(content.size());
        }
        if (eightBit) {
            if (extensions.containsKey("8BITMIME")) {
                mail.append(" BODY=8BITMIME");
            } else {
                transcript.add("* the message has 8-bit bytes and the server does not offer 8BITMIME; sent as it is");
            }
        }
        boolean utf8 = !ascii(mailFrom);
        for (int i = 0; i < recipients.size(); i++) {
            utf8 |= results[i] == null && !ascii(recipients.get(i).address());
        }
        if (utf8) {
            mail.append(" SMTPUTF8");
        }
        return mail.toString();
    }

    private String rcptCommand(Recipient r, boolean dsn) {
        StringBuilder rcpt = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        if (dsn) {
            if (r.dsnNotify() != null && r.dsnNotify().matches("[A-Za-z]+(,[A-Za-z]+)*")) {
                rcpt.append(" NOTIFY=").append(r.dsnNotify().toUpperCase(Locale.ROOT));
            }
            if (r.orcpt() != null && !r.orcpt().isEmpty()) {
                rcpt.append(" ORCPT=").append(orcpt(r.orcpt()));
            }
        }
        return rcpt.toString();
    }

    /** {@code addr-type;xtext} as received, else a bare address encoded as {@code rfc822;} xtext (RFC 3461 §4.2). */
    static String orcpt(String value) {
        int semi = value.indexOf(';');
        if (semi > 0 && value.chars().allMatch(ch -> ch > ' ' && ch < 127 && ch != '=')) {
            return value;
        }
        StringBuilder x = new StringBuilder("rfc822;");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int ch = b & 0xff;
            if (ch >= '!' && ch <= '~' && ch != '+' && ch != '=') {
                x.append((char) ch);
            } else {
                x.append('+').append(String.format("%02X", ch));
            }
        }
        return x.toString();
    }

    private void data(SmtpConnection c) throws IOException {
        step = "DATA";
        c.command("DATA");
        SmtpReply data = c.reply(settings.commandTimeout());
        if (data.code() != 354) {
            fillPending(data);
            return;
        }
        step = "the message";
        c.sendData(content, settings.dataTimeout());
        step = "the reply after the message";
        fillPending(c.reply(settings.dataTimeout()));
    }

    private void quit(SmtpConnection c) {
        try {
            c.command("QUIT");
            c.reply(settings.commandTimeout());
        } catch (IOException e) {
            // the results are settled; a server closing at once after them is fine
        }
    }

    /**
     * Settles, without sending them, addresses that cannot be written in a command (a line break,
     * a control character or an angle bracket would inject commands). False when none is left.
     */
    private boolean addressesWritable() {
        if (!writable(mailFrom)) {
            fillPending(SmtpReply.of(501, "5.1.7", "sender <" + printable(mailFrom) + ">: cannot be written in MAIL FROM"));
            return false;
        }
        for (int i = 0; i < recipients.size(); i++) {
            if (!writable(recipients.get(i).address())) {
                results[i] = SmtpReply.of(501, "5.1.3", "<" + printable(recipients.get(i).address())
                        + ">: cannot be written in RCPT TO");
            }
        }
        return pending() > 0;
    }

    private static boolean writable(String address) {
        return address.chars().noneMatch(ch -> ch < ' ' || ch == 127 || ch == '<' || ch == '>');
    }

    private int pending() {
        int n = 0;
        for (SmtpReply r : results) {
            n += r == null ? 1 : 0;
        }
        return n;
    }

    private void fillPending(SmtpReply reply) {
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                results[i] = reply;
            }
        }
    }

    private Attempt attempt() {
        Map<String, SmtpReply> byRecipient = new LinkedHashMap<>();
        for (int i = 0; i < results.length; i++) {
            byRecipient.put(recipients.get(i).address(), results[i]);
        }
        return new Attempt(used, remoteHost, tls, Collections.unmodifiableMap(byRecipient), transcript);
    }

    private static TargetFailure fail(Target t, String enhanced, String why) {
        return new TargetFailure(reply(t, enhanced, why), false);
    }

    private static SmtpReply reply(Target t, String enhanced, String why) {
        return SmtpReply.of(451, enhanced, t + ": " + why);
    }

    /** The server's own name from its greeting ({@code 220 mx.example.org ESMTP}), else the target's host. */
    private static String greetingHost(SmtpReply greeting, Target t) {
        String first = greeting.text().split(" ", 2)[0];
        return first.matches("[A-Za-z0-9][A-Za-z0-9.-]*|\\[[0-9A-Fa-f.:]+\\]") ? first : t.host();
    }

    /** EHLO keywords (upper case) to their parameters. */
    static Map<String, String> extensions(List<String> ehloLines) {
        Map<String, String> keywords = new HashMap<>();
        for (String line : ehloLines.subList(1, ehloLines.size())) {
            String rest = line.length() > 4 ? line.substring(4).trim() : "";
            String[] parts = rest.split("[ =]", 2);
            keywords.putIfAbsent(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].trim() : "");
        }
        return keywords;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(ch -> ch < 128);
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private static String cause(IOException e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return m == null ? "timed out" : m.contains("timed out") ? m : "timed out: " + m;
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
