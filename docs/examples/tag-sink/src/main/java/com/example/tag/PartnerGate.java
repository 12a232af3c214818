package com.example.tag;

import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.OnMailFromSink;
import dev.mailroot.sink.protocol.OnRcptToSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.RcptToCommand;
import dev.mailroot.sink.protocol.SmtpReply;
import dev.mailroot.sink.protocol.Verdict;
import org.pf4j.Extension;

import java.util.Locale;

/**
 * Protocol sinks: judged while the client waits, before the 250. Mail for the partners list
 * ({@code partners@...}) is taken only from the partner's domain (binding property {@code domain});
 * everyone else gets a 550 at RCPT TO, and the other recipients of the transaction go on.
 */
@Extension
public class PartnerGate implements OnMailFromSink, OnRcptToSink {

    @Override
    public Verdict onMailFrom(ProtocolSession session, MailFromCommand command, SinkContext context) {
        // remember for OnRcptTo whether the sender announced 8-bit mail (an ESMTP parameter)
        if ("8BITMIME".equals(command.parameter("BODY").orElse(""))) {
            context.logger().debug("8-bit mail from {}", command.sender());
        }
        return Verdict.proceed();
    }

    @Override
    public Verdict onRcptTo(ProtocolSession session, RcptToCommand command, SinkContext context) {
        String domain = context.properties().getOrDefault("domain", "partner.example").toLowerCase(Locale.ROOT);
        String sender = session.mailFrom().orElse("").toLowerCase(Locale.ROOT);
        if (command.recipient().toLowerCase(Locale.ROOT).startsWith("partners@") && !sender.endsWith("@" + domain)) {
            return Verdict.reject(SmtpReply.of(550, "5.7.1", "the partners list takes mail from " + domain + " only"));
        }
        return Verdict.proceed();
    }
}
