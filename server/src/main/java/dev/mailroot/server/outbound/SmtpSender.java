package dev.mailroot.server.outbound;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.outbound.MxResolver.Route;
import dev.mailroot.server.outbound.MxResolver.Target;

import javax.net.ssl.SSLContext;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Mailroot's SMTP client: hands one message for some recipients of one destination to the first
 * host of a {@link Route} that takes a connection, and reports one final {@link SmtpReply} per
 * recipient. One call is one transaction on one connection: greeting, {@code EHLO} ({@code HELO}
 * when {@code EHLO} gets a 5xx), {@code STARTTLS} per {@link TlsPolicy} and {@code EHLO} again,
 * {@code AUTH} when {@link Credentials} are set, {@code MAIL FROM} (with {@code SIZE=} and
 * {@code BODY=8BITMIME} when offered), one {@code RCPT TO} per recipient (with {@code NOTIFY=} and
 * {@code ORCPT=} when the server offers {@code DSN}), {@code DATA} when at least one recipient was
 * accepted, the message as stored (CRLF line ends and dot-stuffing, {@link
 * dev.mailroot.server.message.DataStream}), its reply, {@code QUIT}.
 *
 * <p>Targets: a refused or timed-out connection, a greeting that is not 2xx, a failed {@code EHLO},
 * a TLS failure under {@link TlsPolicy#ENCRYPT} or a refused {@code AUTH} moves on to the next
 * target; under {@link TlsPolicy#MAY} a failed TLS handshake first retries the same target in
 * plaintext. Once {@code MAIL FROM} is sent the attempt stays on that target. When no target
 * worked, every recipient gets the last target's failure, made up as a {@code 451}: {@code 4.4.1}
 * for the connection or greeting, {@code 4.4.2} for a connection lost before the transaction,
 * {@code 4.7.4}/{@code 4.7.5} for TLS required but not offered or failed, {@code 4.7.0} for
 * authentication. A 5xx greeting is deferred, not bounced: another MX or a later try may take it.
 *
 * <p>Never throws for what a server or the network does; that is in the {@link Attempt}. Every
 * read waits at most the command time limit (the reply after the message: the data limit); every
 * write of the message at most the data limit. A {@link Target} without an address is resolved
 * by the JDK's resolver at connect, without a time limit.
 *
 * <p>Thread-safe: calls share nothing but a watchdog thread for stalled writes (started on
 * demand, ended when idle). Logs nothing, so it never logs a message's body or a password; the
 * transcript redacts {@code AUTH} data. Not done: {@code PIPELINING}, {@code CHUNKING}/{@code BDAT},
 * {@code RET}/{@code ENVID}, connection reuse, DANE/MTA-STS, client certificates.
 */
public final class SmtpSender {
    private final Settings settings;
    private final ScheduledThreadPoolExecutor watchdog;
    private final SSLContext noVerification;

    /** A sender with {@code settings}. */
    public SmtpSender(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailroot-smtp-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setKeepAliveTime(10, TimeUnit.SECONDS);
        watchdog.allowCoreThreadTimeOut(true);
        watchdog.setRemoveOnCancelPolicy(true);
        this.noVerification = settings.sslContext() != null ? settings.sslContext() : dev.mailroot.server.tls.AnyCertificate.context();
    }

    /**
     * Sends {@code content} from {@code mailFrom} to {@code recipients} over {@code route}.
     *
     * @param route      the targets to try, in order
     * @param mailFrom   the envelope sender, {@code ""} for the null sender {@code <>} (bounces)
     * @param recipients the recipients, at least one, no address twice
     * @param content    the message as stored; bare LF line ends are fine
     * @return what happened; {@link Attempt#results()} has one reply per recipient, in their order
     * @throws IllegalArgumentException for no recipients or a repeated address
     */
    public Attempt send(Route route, String mailFrom, List<Recipient> recipients, MessageContent content) {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(mailFrom, "mailFrom");
        Objects.requireNonNull(content, "content");
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipients");
        }
        Set<String> seen = new HashSet<>();
        for (Recipient r : recipients) {
            if (!seen.add(r.address())) {
                throw new IllegalArgumentException("recipient given twice: " + r.address());
            }
        }
        return new SmtpSession(settings, noVerification, watchdog, route, mailFrom, List.copyOf(recipients), content).run();
    }

    /** When to use TLS ({@code STARTTLS}, RFC 3207). */
    public enum TlsPolicy {
        /** Never; plaintext even when the server offers {@code STARTTLS}. */
        NONE,
        /**
         * Opportunistic (Postfix's {@code may}): {@code STARTTLS} when offered, the certificate not
         * checked; a failed handshake is retried in plaintext on the same target.
         */
        MAY,
        /**
         * Required (Postfix's {@code encrypt}/{@code verify}): a target that does not offer
         * {@code STARTTLS} or fails the handshake is skipped; with {@link Settings#verify()} its
         * certificate chain must be trusted and name the target's host.
         */
        ENCRYPT
    }

    /**
     * User and password for {@code AUTH PLAIN} (or {@code LOGIN} when the server offers only that),
     * for a smarthost. Its {@code toString} hides the password.
     */
    public record Credentials(String user, String password) {
        /** Both must be given. */
        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=<redacted>]";
        }
    }

    /**
     * How the sender behaves.
     *
     * @param heloName       this host's name, sent with {@code EHLO}/{@code HELO}
     * @param connectTimeout the longest wait for a TCP connection
     * @param commandTimeout the longest wait for each reply (the greeting and every command's)
     * @param dataTimeout    the longest wait for each write of the message and for the reply after it
     * @param tls            when to use TLS
     * @param verify         under {@link TlsPolicy#ENCRYPT}: check the certificate (JDK trust store,
     *                       or {@code sslContext}) and the host name; ignored otherwise
     * @param sslContext     the context for every handshake when set (tests, a private CA): under
     *                       {@link TlsPolicy#MAY} its trust managers then decide, without a host
     *                       name check; {@code null}: the JDK default, or accept-all for {@code MAY}
     * @param credentials    for {@code AUTH}, or {@code null} not to authenticate
     * @param allowPlainAuth send credentials over a connection without TLS (only for a trusted
     *                       network); otherwise a target without TLS is skipped when credentials are set
     */
    public record Settings(String heloName, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                           TlsPolicy tls, boolean verify, SSLContext sslContext, Credentials credentials,
                           boolean allowPlainAuth) {
        /** Checks the name and that the time limits are positive. */
        public Settings {
            if (heloName == null || heloName.isEmpty() || heloName.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new IllegalArgumentException("not a host name for EHLO: " + heloName);
            }
            for (Duration d : List.of(connectTimeout, commandTimeout, dataTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("time limits must be positive: " + d);
                }
            }
            Objects.requireNonNull(tls, "tls");
        }

        /**
         * The MX defaults: opportunistic TLS, no credentials, 30 s to connect, 5 min a reply
         * (RFC 5321 §4.5.3.2), 10 min for the message and its reply.
         */
        public static Settings defaults(String heloName) {
            return new Settings(heloName, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10),
                    TlsPolicy.MAY, true, null, null, false);
        }

        /** These settings with other time limits. */
        public Settings withTimeouts(Duration connect, Duration command, Duration data) {
            return new Settings(heloName, connect, command, data, tls, verify, sslContext, credentials, allowPlainAuth);
        }

        /** These settings with another TLS policy, certificate check and context. */
        public Settings withTls(TlsPolicy policy, boolean verifyCertificate, SSLContext context) {
            return new Settings(heloName, connectTimeout, commandTimeout, dataTimeout, policy, verifyCertificate, context,
                    credentials, allowPlainAuth);
        }

        /** These settings with credentials for {@code AUTH}. */
        public Settings withCredentials(Credentials login, boolean plainAuthAllowed) {
            return new Settings(heloName, connectTimeout, commandTimeout, dataTimeout, tls, verify, sslContext, login,
                    plainAuthAllowed);
        }
    }

    /**
     * One envelope recipient. (The {@code NOTIFY} component is {@code dsnNotify}: a record component
     * cannot be named {@code notify}, which would clash with {@link Object#notify()}.)
     *
     * @param address the address, without angle brackets
     * @param dsnNotify the {@code NOTIFY=} value received with it ({@code "FAILURE,DELAY"},
     *                {@code "NEVER"}), or {@code null}; passed on when the server offers {@code DSN}
     * @param orcpt   the original recipient, as received ({@code "rfc822;bob@example.org"}, already
     *                xtext) or a bare address (encoded as {@code rfc822;} xtext here), or {@code null}
     */
    public record Recipient(String address, String dsnNotify, String orcpt) {
        /** Checks the address is given. */
        public Recipient {
            Objects.requireNonNull(address, "address");
        }

        /** A recipient without DSN parameters. */
        public static Recipient of(String address) {
            return new Recipient(address, null, null);
        }
    }

    /**
     * What one {@link #send} did.
     *
     * @param target     the target the transaction ran on, or {@code null} when none got as far as
     *                   {@code MAIL FROM}
     * @param remoteHost the name the server gave in its greeting (else the target's host): the
     *                   bounce's {@code Remote-MTA}; when no target worked, the last one tried;
     *                   {@code null} when none was tried
     * @param tls        whether the transaction ran under TLS
     * @param results    one final reply per recipient, in the caller's order: the {@code RCPT} reply
     *                   when not 2xx, else the reply after the message (or to {@code MAIL FROM} or
     *                   {@code DATA} when those refused, or a made-up {@code 451} when the connection
     *                   failed or broke)
     * @param transcript the conversation, {@code "C: "}/{@code "S: "} lines and {@code "* "} notes,
     *                   {@code AUTH} data redacted, the message itself not included
     */
    public record Attempt(Target target, String remoteHost, boolean tls, Map<String, SmtpReply> results,
                          List<String> transcript) {
        /** Copies the transcript; the results map is kept as given (insertion-ordered, unmodifiable). */
        public Attempt {
            transcript = List.copyOf(transcript);
        }
    }
}
