package dev.mailroot.server.outbound;

import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.delivery.DeliveryReport;
import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the outbound queue sends: the route of a destination (the static {@code outbound.routes},
 * else the smarthost, else MX records through {@code outbound.resolver}), then one SMTP
 * transaction with {@link SmtpSender}; a DNS failure answers every recipient with its reply
 * (NXDOMAIN and null MX permanent, others temporary). Local recipients that wait in the queue
 * ({@link OutboundQueue#LOCAL}) go to local delivery again.
 */
public final class SmtpTransport implements OutboundQueue.Transport {
    private static final Logger log = LoggerFactory.getLogger(SmtpTransport.class);

    private final MxResolver routes;
    private final java.util.Set<String> routed;
    private final MxResolver mx;
    private final SmtpSender mxSender;
    private final SmtpSender smarthostSender;
    private final MxResolver smarthost;
    private final LocalDelivery local;

    /**
     * @param sslContext the client TLS context for the smarthost (null: the JDK's trust store); tests use their own
     */
    public SmtpTransport(MailrootConfig.Outbound config, String hostname, LocalDelivery local, javax.net.ssl.SSLContext sslContext) {
        this.local = local;
        this.routes = config.routes().isEmpty() ? null : new StaticRoutes(config.routes());
        this.routed = new java.util.HashSet<>();
        config.routes().keySet().forEach(k -> routed.add(k.toLowerCase(java.util.Locale.ROOT)));
        String helo = config.heloName() == null || config.heloName().isBlank() ? hostname : config.heloName().strip();
        SmtpSender.Settings base = SmtpSender.Settings.defaults(helo).withTimeouts(Duration.ofSeconds(config.connectTimeoutSeconds()),
                Duration.ofSeconds(config.commandTimeoutSeconds()), Duration.ofSeconds(Math.max(600, config.commandTimeoutSeconds())));
        this.mxSender = new SmtpSender(base.withTls(policy(config.tls()), false, null));
        this.mx = new JndiMxResolver(config.resolver() == null || config.resolver().isBlank() ? null : config.resolver().strip(),
                Duration.ofSeconds(10), config.port());
        MailrootConfig.Smarthost sh = config.smarthost();
        if (sh != null && sh.enabled()) {
            this.smarthost = new StaticRoutes(Map.of("*", sh.host().strip() + ":" + sh.port()));
            SmtpSender.Settings s = base.withTls(policy(sh.tls()), sh.verify(), sslContext);
            if (sh.user() != null && !sh.user().isBlank()) {
                s = s.withCredentials(new SmtpSender.Credentials(sh.user(), sh.password() == null ? "" : sh.password()), false);
            }
            this.smarthostSender = new SmtpSender(s);
        } else {
            this.smarthost = null;
            this.smarthostSender = null;
        }
    }

    private static SmtpSender.TlsPolicy policy(String name) {
        return switch (name == null ? "may" : name) {
            case "none" -> SmtpSender.TlsPolicy.NONE;
            case "encrypt" -> SmtpSender.TlsPolicy.ENCRYPT;
            default -> SmtpSender.TlsPolicy.MAY;
        };
    }

    @Override
    public OutboundQueue.Result send(SpoolEntry entry, String destination, String mailFrom, List<String> rcpts,
                                     MessageContent content) {
        if (destination.equals(OutboundQueue.LOCAL)) {
            return local(entry, rcpts, content);
        }
        MxResolver.Route route;
        SmtpSender sender = mxSender;
        try {
            MxResolver.Route r = null;
            if (routes != null && (routed.contains(destination) || routed.contains("*"))) {
                r = routes.route(destination);
            } else if (smarthost != null) {
                r = smarthost.route(destination);
                sender = smarthostSender;
            }
            route = r != null ? r : mx.route(destination);
        } catch (MxResolver.DnsFailure e) {
            log.warn("MR7011 no route to {}: {}", destination, e.reply());
            return all(rcpts, e.reply(), null);
        }
        SmtpSender.Attempt a = sender.send(route, mailFrom, rcpts.stream().map(SmtpSender.Recipient::of).toList(), content);
        if (log.isDebugEnabled()) {
            log.debug("transcript for {}:\n{}", destination, String.join("\n", a.transcript()));
        }
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        for (String r : rcpts) {
            SmtpReply reply = a.results().get(r);
            replies.put(r, reply == null ? SmtpReply.of(451, "4.4.0", "no reply for this recipient") : reply);
        }
        return new OutboundQueue.Result(a.remoteHost(), a.tls(), replies);
    }

    private static OutboundQueue.Result all(List<String> rcpts, SmtpReply reply, String host) {
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        rcpts.forEach(r -> replies.put(r, reply));
        return new OutboundQueue.Result(host, false, replies);
    }

    /** Local recipients whose delivery failed for now, tried again. */
    private OutboundQueue.Result local(SpoolEntry entry, List<String> rcpts, MessageContent content) {
        String newline;
        try {
            newline = HeaderSection.newlineOf(content);
        } catch (IOException e) {
            newline = "\r\n";
        }
        DeliveryReport report = local.deliver(entry.id(), entry.envelope().withRecipients(rcpts), content, newline);
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        report.delivered().forEach(r -> replies.put(r, SmtpReply.of(250, "2.0.0", "delivered to the mailbox")));
        report.permanent().forEach(f -> replies.putIfAbsent(f.recipient(), SmtpReply.of(550, "5.2.0", f.reason())));
        report.temporary().forEach(f -> replies.putIfAbsent(f.recipient(), SmtpReply.of(451, "4.2.0", f.reason())));
        // a recipient whose mailbox now only forwards elsewhere: done here, and its remote addresses join
        // the queue (only then: a mailbox that kept a copy had its forwarding queued on the first pass)
        boolean onlyForwarded = false;
        for (String r : rcpts) {
            if (!replies.containsKey(r)) {
                replies.put(r, SmtpReply.of(250, "2.0.0", "forwarded"));
                onlyForwarded = true;
            }
        }
        return new OutboundQueue.Result("local delivery", false, replies, onlyForwarded ? report.remote() : List.of());
    }
}
