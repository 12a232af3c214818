package dev.mailroot.server.protocol;

import dev.mailroot.bindings.Events;
import dev.mailroot.host.message.NoteMap;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.dispatch.Dispatcher;
import dev.mailroot.server.dispatch.SpooledSubmission;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.OnEndOfDataSink;
import dev.mailroot.sink.protocol.OnMailFromSink;
import dev.mailroot.sink.protocol.OnRcptToSink;
import dev.mailroot.sink.protocol.RcptToCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The protocol events for mail that arrived without an SMTP session (pickup, connectors, mail
 * sent by sinks): the same bindings, in the same order, with a session built from the envelope
 * (its source, the connector and account, the client address a connector recorded; no HELO, so
 * OnHelo does not fire). Runs in the queue before the OnSubmission chain, on the spooled message, so
 * nothing is lost while a filter is slow or down:
 * <ul>
 *   <li>reject or disconnect at any event: the message goes to badmail with the reply as the reason
 *       ({@code MR6006});</li>
 *   <li>a rejected recipient leaves the message and goes to badmail with the reply
 *       ({@link RecipientFate#reject}); the others go on;</li>
 *   <li>a {@code tempfail} binding that fails: the message waits in the spool and the events run
 *       again later ({@code MR6007}), as a deferred message does;</li>
 *   <li>OnEndOfData's discard and quarantine: dropped (recorded) or kept in {@code quarantine/};
 *       its added header fields go at the top of the message.</li>
 * </ul>
 */
public final class SessionlessEvents implements Dispatcher.BeforeChain {
    private static final Logger log = LoggerFactory.getLogger(SessionlessEvents.class);

    private final ProtocolEvents events;
    private final LocalRecipients recipients;
    private final Quarantine quarantine;
    private final Clock clock;

    public SessionlessEvents(ProtocolEvents events, LocalRecipients recipients, Quarantine quarantine, Clock clock) {
        this.events = events;
        this.recipients = recipients;
        this.quarantine = quarantine;
        this.clock = clock;
    }

    @Override
    public boolean applies(SpooledSubmission s) {
        return s.entry().envelope().source() != Source.SMTP && events.any();
    }

    @Override
    public Judgement run(SpooledSubmission s) {
        SpoolEnvelope env = s.entry().envelope();
        SessionState session = new SessionState(s.id(), env.source(), env.sourceName(), env.connectorAccount(),
                address(env.clientAddress()), new NoteMap());
        List<TraceEntry> trace = new ArrayList<>();
        String[] decidedBy = new String[1];
        String what = "message id=" + s.id() + " (" + env.sourceName() + ")";
        try {
            if (events.bound(Events.ON_CONNECT)) {
                ProtocolEvents.Outcome o = events.run(Events.ON_CONNECT, session.ruleInput(List.of()), what,
                        (sink, ctx) -> ((OnConnectSink) sink).onConnect(session, ctx));
                if (ended(Events.ON_CONNECT, o, s, trace, decidedBy)) {
                    return new Judgement(trace, decidedBy[0]);
                }
            }
            String sender = s.envelope().mailFrom();
            session.mailFrom(sender);
            if (events.bound(Events.ON_MAIL_FROM)) {
                MailFromCommand command = new MailFromCommand(sender, Map.of());
                ProtocolEvents.Outcome o = events.run(Events.ON_MAIL_FROM, session.ruleInput(List.of()), what,
                        (sink, ctx) -> ((OnMailFromSink) sink).onMailFrom(session, command, ctx));
                if (ended(Events.ON_MAIL_FROM, o, s, trace, decidedBy)) {
                    return new Judgement(trace, decidedBy[0]);
                }
            }
            for (String rcpt : List.copyOf(s.envelope().recipients())) {
                if (events.bound(Events.ON_RCPT_TO)) {
                    RcptToCommand command = new RcptToCommand(rcpt, Map.of(), recipients.isKnown(recipients.check(rcpt)));
                    ProtocolEvents.Outcome o = events.run(Events.ON_RCPT_TO, session.ruleInput(List.of(rcpt)),
                            "<" + rcpt + "> of " + what, (sink, ctx) -> ((OnRcptToSink) sink).onRcptTo(session, command, ctx));
                    if (o.tempfail()) {
                        ended(Events.ON_RCPT_TO, o, s, trace, decidedBy);
                        return new Judgement(trace, decidedBy[0]);
                    }
                    if (!o.steps().isEmpty()) {
                        trace.add(entry(Events.ON_RCPT_TO, o, rcpt));
                    }
                    if (o.refused()) {
                        log.warn("MR6008 recipient <{}> of message id={} ({}) refused by OnRcptTo binding {}: {}", rcpt, s.id(),
                                env.sourceName(), o.byName(), o.verdict().reply());
                        s.setRecipientFate(rcpt, RecipientFate.reject("refused by OnRcptTo binding " + o.byName() + ": "
                                + o.verdict().reply()));
                        continue;
                    }
                }
                session.addRecipient(rcpt);
            }
            if (session.recipients().isEmpty()) {
                return new Judgement(trace, decidedBy[0]);
            }
            if (events.bound(Events.ON_END_OF_DATA)) {
                EndOfDataView view = new EndOfDataView(sender, session.recipients(), s.current());
                ProtocolEvents.Outcome o = events.run(Events.ON_END_OF_DATA, session.ruleInput(session.recipients()), what,
                        (sink, ctx) -> ((OnEndOfDataSink) sink).onEndOfData(session, view, ctx));
                switch (o.verdict().kind()) {
                    case DISCARD -> {
                        trace.add(entry(Events.ON_END_OF_DATA, o, null));
                        log.info("MR6004 message id={} ({}) discarded by OnEndOfData binding {}: {}", s.id(), env.sourceName(),
                                o.byName(), o.verdict().reason());
                        decidedBy[0] = Events.ON_END_OF_DATA + " binding " + o.byName();
                        s.setFate(Fate.abortDelivery("discarded: " + o.verdict().reason()));
                        return new Judgement(trace, decidedBy[0]);
                    }
                    case QUARANTINE -> {
                        trace.add(entry(Events.ON_END_OF_DATA, o, null));
                        Path kept = quarantine.keep(s.id(), env.withRecipients(session.recipients()), s.current(), o);
                        log.warn("MR6005 message id={} ({}) quarantined by OnEndOfData binding {} as {}: {}", s.id(),
                                env.sourceName(), o.byName(), kept, o.verdict().reason());
                        decidedBy[0] = Events.ON_END_OF_DATA + " binding " + o.byName();
                        s.setFate(Fate.abortDelivery("quarantined as quarantine/" + kept.getFileName() + ": " + o.verdict().reason()));
                        return new Judgement(trace, decidedBy[0]);
                    }
                    default -> {
                        if (ended(Events.ON_END_OF_DATA, o, s, trace, decidedBy)) {
                            return new Judgement(trace, decidedBy[0]);
                        }
                    }
                }
                for (String name : view.removed()) {
                    s.headers().remove(name);
                }
                for (String[] h : view.added()) {
                    s.prependHeader(h[0], h[1]);
                }
            }
        } catch (IOException e) {
            // the quarantine could not be written: the message waits and is judged again
            log.error("MR6007 message id={}: the quarantine cannot be written ({}); the message waits in the spool", s.id(), e.toString());
            decidedBy[0] = Events.ON_END_OF_DATA + " binding (quarantine)";
            s.setFate(Fate.defer("the quarantine cannot be written: " + e.getMessage(), Duration.ZERO));
            return new Judgement(trace, decidedBy[0]);
        } finally {
            for (String name : session.noteMap().names()) {
                copy(session.noteMap(), name, s);
            }
        }
        return new Judgement(trace, decidedBy[0]);
    }

    /** Applies a refusing or tempfailing outcome; true if the message's judgement is over. */
    private boolean ended(String event, ProtocolEvents.Outcome o, SpooledSubmission s, List<TraceEntry> trace,
                          String[] decidedBy) {
        if (!o.steps().isEmpty()) {
            trace.add(entry(event, o, null));
        }
        String source = s.entry().envelope().sourceName();
        if (o.tempfail()) {
            log.warn("MR6007 message id={} ({}) waits in the spool: {} binding {} failed (onError: tempfail); the protocol "
                    + "events run again later", s.id(), source, event, o.byName());
            decidedBy[0] = event + " binding " + o.byName();
            s.setFate(Fate.defer("failed (onError: tempfail)", Duration.ZERO));
            return true;
        }
        if (o.refused()) {
            log.warn("MR6006 message id={} ({}) refused by {} binding {}: {}; sent to badmail", s.id(), source, event,
                    o.byName(), o.verdict().reply());
            decidedBy[0] = event + " binding " + o.byName();
            s.setFate(Fate.badmail("refused: " + o.verdict().reply()));
            return true;
        }
        return false;
    }

    private TraceEntry entry(String event, ProtocolEvents.Outcome o, String rcpt) {
        return TraceEntry.of(clock.instant(), "protocol", "event", event, "rcpt", rcpt, "verdict", ProtocolEvents.describe(o.verdict()),
                "binding", o.by() == null ? null : o.by().bindingName(), "steps", String.join("; ", o.steps()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void copy(NoteMap from, String name, SpooledSubmission to) {
        Object v = from.asMap().get(name);
        if (v != null) {
            to.notes().put(new Note(name, v.getClass()), v);
        }
    }

    private static InetAddress address(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            // a literal only (digits, dots, colons): never a name lookup
            if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || text.indexOf(':') >= 0
                    && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                return InetAddress.getByName(text);
            }
        } catch (java.net.UnknownHostException e) {
            // not an address
        }
        return null;
    }
}
