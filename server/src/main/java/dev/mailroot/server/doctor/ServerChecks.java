package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.smtp.Network;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks that talk SMTP to the running server's listeners: each greets (MR8001), the
 * certificate they present (MR8002), what they offer anonymously (MR8013), and whether one relays
 * for a stranger (MR8014).
 */
final class ServerChecks {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Duration CERT_WARN = Duration.ofDays(14);

    private ServerChecks() {
    }

    /** A listener as {@code /health} names it. */
    record Listener(String name, String host, int port, String tls, boolean anonymous, boolean auth) {
        static Listener of(JsonNode n) {
            String address = n.path("address").asText();
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon);
            if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
                host = "127.0.0.1";
            }
            return new Listener(n.path("name").asText(), host.replace("[", "").replace("]", ""),
                    Integer.parseInt(address.substring(colon + 1)), n.path("tls").asText(), n.path("anonymous").asBoolean(),
                    n.path("auth").asBoolean());
        }

        String label() {
            return name + " (" + host + ":" + port + ")";
        }

        SmtpProbe open() throws IOException {
            SmtpProbe p = SmtpProbe.connect(host, port, MailrootConfig.Listener.IMPLICIT.equals(tls), TIMEOUT);
            SmtpProbe.Reply greeting = p.read(null);
            if (greeting.code() != 220) {
                p.close();
                throw new IOException("greeted " + greeting.code() + " " + greeting.text());
            }
            return p;
        }
    }

    static List<Listener> listeners(Subject s) {
        List<Listener> out = new ArrayList<>();
        s.health().path("listeners").forEach(n -> out.add(Listener.of(n)));
        return out;
    }

    static Check running(Subject s) {
        String name = "server";
        if (!s.running()) {
            return new Check(name, "MR8001", Check.Status.FAIL, "not running for " + s.home().root()
                    + " (no answer on the admin endpoint)", "start it: bin/mailroot --home " + s.home().root()
                    + "; if it will not start, its one-line reason and logs/mailroot.log say why");
        }
        List<String> silent = new ArrayList<>();
        List<Listener> ls = listeners(s);
        for (Listener l : ls) {
            try (SmtpProbe p = l.open()) {
                // greeted 220
            } catch (IOException e) {
                silent.add(l.label() + ": " + e.getMessage());
            }
        }
        if (!silent.isEmpty()) {
            return new Check(name, "MR8001", Check.Status.FAIL, "listener(s) not greeting 220: " + String.join("; ", silent),
                    "look at logs/mailroot.log (MR1010 at start); a firewall or a full connection limit (smtp.maxConnections)");
        }
        return Check.ok(name, "MR8001", "running (pid " + s.health().path("pid").asText("?") + "); " + ls.size()
                + " listener(s) greet 220: " + String.join(", ", ls.stream().map(Listener::label).toList()));
    }

    static Check certificate(Subject s) {
        String name = "tls";
        List<String> problems = new ArrayList<>();
        List<String> fine = new ArrayList<>();
        Check.Status worst = Check.Status.OK;
        if (s.running()) {
            List<Listener> tls = listeners(s).stream().filter(l -> !MailrootConfig.Listener.NONE.equals(l.tls())).toList();
            if (tls.isEmpty()) {
                return Check.ok(name, "MR8002", "no listener offers TLS");
            }
            for (Listener l : tls) {
                try (SmtpProbe p = l.open()) {
                    if (p.certificate() == null) {
                        p.startTls();
                    }
                    Check.Status st = judge(p.certificate(), s.now(), !isLoopback(l.host()), problems, l.label());
                    worst = worse(worst, st);
                    if (st == Check.Status.OK) {
                        fine.add(l.label());
                    }
                } catch (IOException e) {
                    problems.add(l.label() + ": no TLS handshake: " + e.getMessage());
                    worst = Check.Status.FAIL;
                }
            }
            if (problems.isEmpty()) {
                return Check.ok(name, "MR8002", "certificate presented on " + String.join(", ", fine) + " valid");
            }
        } else {
            MailrootConfig.Tls t = s.config().tls();
            Path cert = t.configured() ? s.home().conf().resolve(t.cert())
                    : s.home().mailroot().resolve("tls").resolve("selfsigned-cert.pem");
            if (!Files.exists(cert)) {
                return t.configured() ? new Check(name, "MR8002", Check.Status.FAIL, "tls.cert " + cert + " does not exist",
                        "put the PEM certificate chain there, or correct tls.cert in conf/mailroot.yaml")
                        : Check.skip(name, "MR8002", "self-signed certificate not made yet (made at the first TLS handshake)");
            }
            try (InputStream in = Files.newInputStream(cert)) {
                X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                worst = judge(c, s.now(), false, problems, cert.getFileName().toString());
                if (worst == Check.Status.OK) {
                    return Check.ok(name, "MR8002", cert + ": valid until " + c.getNotAfter().toInstant() + " (server not running: "
                            + "the file, not what a listener presents)");
                }
            } catch (IOException | CertificateException e) {
                return new Check(name, "MR8002", Check.Status.FAIL, cert + " is not a readable PEM certificate: " + e.getMessage(),
                        "replace it with the PEM certificate chain (BEGIN CERTIFICATE)");
            }
        }
        return new Check(name, "MR8002", worst, String.join("; ", problems),
                "renew the certificate (tls.cert and tls.key in conf/, PEM) and restart; a self-signed one is remade when "
                        + "mailroot/tls/selfsigned-*.pem are deleted");
    }

    private static Check.Status judge(X509Certificate c, Instant now, boolean publicListener, List<String> problems, String where) {
        Instant until = c.getNotAfter().toInstant();
        String subject = c.getSubjectX500Principal().getName();
        // a self-signed certificate made at this very handshake starts a moment after the run did
        if (until.isBefore(now) || c.getNotBefore().toInstant().isAfter(now.plus(ClockCheck.SKEW))) {
            problems.add(where + ": certificate " + subject + " " + (until.isBefore(now) ? "expired " + until : "not valid before "
                    + c.getNotBefore().toInstant()));
            return Check.Status.FAIL;
        }
        if (until.isBefore(now.plus(CERT_WARN))) {
            problems.add(where + ": certificate " + subject + " expires " + until + " (in "
                    + Duration.between(now, until).toDays() + " day(s))");
            return Check.Status.WARN;
        }
        if (publicListener && c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            problems.add(where + ": self-signed certificate " + subject + " on a listener others reach");
            return Check.Status.WARN;
        }
        return Check.Status.OK;
    }

    static Check anonymous(Subject s) {
        String name = "anonymous";
        List<String> found = new ArrayList<>();
        for (MailrootConfig.Listener l : s.config().effectiveListeners()) {
            if (l.anonymous() && (l.port() == 587 || l.port() == 465)) {
                found.add(l.name() + ": anonymous: true on port " + l.port() + " (a submission port: clients should authenticate)");
            }
        }
        if (s.running()) {
            for (Listener l : listeners(s)) {
                if (!MailrootConfig.Listener.NONE.equals(l.tls()) && !MailrootConfig.Listener.STARTTLS.equals(l.tls())) {
                    continue;
                }
                try (SmtpProbe p = l.open()) {
                    List<String> ehlo = new ArrayList<>();
                    p.send("EHLO doctor.invalid", ehlo);
                    if (ehlo.stream().anyMatch(k -> k.toUpperCase(java.util.Locale.ROOT).startsWith("AUTH"))) {
                        found.add(l.label() + ": AUTH offered before TLS (passwords in clear text)");
                    }
                } catch (IOException e) {
                    // the server check reports silent listeners
                }
            }
        } else {
            for (MailrootConfig.Listener l : s.config().effectiveListeners()) {
                if (l.auth() && MailrootConfig.Listener.NONE.equals(l.tls()) && !(s.config().auth().allowPlaintextOnLoopback()
                        && isLoopback(l.bind()))) {
                    found.add(l.name() + ": AUTH offered on a listener without TLS");
                }
            }
        }
        if (found.isEmpty()) {
            return Check.ok(name, "MR8013", "no AUTH before TLS; no anonymous submission port");
        }
        return new Check(name, "MR8013", Check.Status.WARN, String.join("; ", found),
                "set tls: starttls or required (or implicit on 465) and anonymous: false on submission listeners (docs/security.md)");
    }

    static Check openRelay(Subject s) {
        String name = "open-relay";
        List<String> fails = new ArrayList<>();
        List<String> warns = new ArrayList<>();
        List<Network> trusted = new ArrayList<>();
        for (String t : s.config().relay().trustedNetworks()) {
            Network n = Network.parse(t);
            trusted.add(n);
            if (n.prefix() == 0) {
                fails.add("relay.trustedNetworks holds " + t + ": every client may relay");
            }
        }
        if (!s.running() || !s.relayTest()) {
            if (!fails.isEmpty()) {
                return new Check(name, "MR8014", Check.Status.FAIL, String.join("; ", fails),
                        "list only your own networks in relay.trustedNetworks; others authenticate");
            }
            return Check.skip(name, "MR8014", !s.running() ? Subject.NOT_RUNNING + " (self-test not run)"
                    : "the self-test runs with bin/mailroot doctor and POST /doctor/run, not in the periodic run");
        }
        int tested = 0;
        for (Listener l : listeners(s)) {
            if (!l.anonymous()) {
                continue;
            }
            tested++;
            try (SmtpProbe p = l.open()) {
                if (MailrootConfig.Listener.REQUIRED.equals(l.tls())) {
                    p.startTls();
                } else {
                    p.send("EHLO doctor.invalid", null);
                }
                p.send("MAIL FROM:<doctor@invalid>", null);
                SmtpProbe.Reply r = p.send("RCPT TO:<x@relay-test.invalid>", null);
                p.send("RSET", null);
                String said = l.label() + " answered " + r.code() + " " + r.text() + " to RCPT TO:<x@relay-test.invalid>";
                InetAddress from = InetAddress.getByName(l.host());
                if (r.positive()) {
                    if (trusted.stream().anyMatch(n -> n.contains(from)) && fails.isEmpty()) {
                        warns.add(said + " (the doctor connects from " + from.getHostAddress()
                                + ", which is in relay.trustedNetworks: strangers were not tested)");
                    } else {
                        fails.add(said);
                    }
                } else if (r.code() < 500) {
                    warns.add(said + " (a temporary refusal; expected 5xx)");
                }
            } catch (IOException e) {
                warns.add(l.label() + ": self-test not completed: " + e.getMessage());
            }
        }
        if (!fails.isEmpty()) {
            return new Check(name, "MR8014", Check.Status.FAIL, "open relay: " + String.join("; ", fails),
                    "remove broad entries from relay.trustedNetworks; relaying must need AUTH (docs/security.md)");
        }
        if (!warns.isEmpty()) {
            return new Check(name, "MR8014", Check.Status.WARN, String.join("; ", warns),
                    "repeat the test from another host: swaks --to x@relay-test.invalid --server <this host>");
        }
        return Check.ok(name, "MR8014", tested == 0 ? "no anonymous listener" : "anonymous RCPT to a foreign domain refused (5xx) on "
                + tested + " listener(s)");
    }

    static boolean isLoopback(String host) {
        return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
    }

    static Check.Status worse(Check.Status a, Check.Status b) {
        return a == Check.Status.FAIL || b == Check.Status.FAIL ? Check.Status.FAIL
                : a == Check.Status.WARN || b == Check.Status.WARN ? Check.Status.WARN : Check.Status.OK;
    }
}
