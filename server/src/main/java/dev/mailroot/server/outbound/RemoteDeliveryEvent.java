package dev.mailroot.server.outbound;

import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.protocol.ProtocolEvents;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.sink.protocol.OnRemoteDeliverySink;
import dev.mailroot.sink.protocol.RemoteDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code OnRemoteDelivery} transport event: runs the event's bindings (through the protocol
 * events' runner: rules, run order, time limit, {@code onError}) before each outbound attempt, and
 * turns their verdict into the queue's: send, fail ({@code 5xx}), defer ({@code 4xx}, or a
 * {@code tempfail} binding that failed), or hold (quarantine). Header fields the sinks add go on
 * top of the message for this attempt only: a retry runs the sinks again (a DKIM signer signs
 * afresh), so nothing is added twice.
 */
public final class RemoteDeliveryEvent implements OutboundQueue.BeforeAttempt {
    private static final Logger log = LoggerFactory.getLogger(RemoteDeliveryEvent.class);
    private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]{1,76}");

    private final ProtocolEvents events;
    private final Spool spool;
    private final Clock clock;

    public RemoteDeliveryEvent(ProtocolEvents events, Spool spool, Clock clock) {
        // spool: to read the message as it is now
        this.events = events;
        this.spool = spool;
        this.clock = clock;
    }

    @Override
    public Verdict before(SpoolEntry entry, String destination, List<String> rcpts) {
        if (!events.bound(Events.ON_REMOTE_DELIVERY)) {
            return Verdict.PROCEED;
        }
        SpoolEnvelope env = entry.envelope();
        HeaderSection section;
        try {
            section = HeaderSection.parse(spool.content(entry));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int attempts = 0;
        if (env.outbound() != null) {
            for (OutboundState.Rcpt r : env.outbound().recipients()) {
                if (rcpts.contains(r.address())) {
                    attempts = Math.max(attempts, r.attempts());
                }
            }
        }
        Attempt attempt = new Attempt(entry.id(), destination, env, rcpts, attempts, section);
        ProtocolEvents.Outcome o = events.run(Events.ON_REMOTE_DELIVERY,
                new RuleInput(null, env.mailFrom(), rcpts, env.sourceName()), destination + " " + rcpts,
                (sink, ctx) -> ((OnRemoteDeliverySink) sink).onRemoteDelivery(attempt, ctx));
        if (!o.steps().isEmpty()) {
            entry.trace(TraceEntry.of(clock.instant(), "OnRemoteDelivery", "destination", destination, "steps",
                    String.join("; ", o.steps())));
        }
        byte[] header = attempt.added.isEmpty() ? null : String.join("", attempt.added).getBytes(StandardCharsets.UTF_8);
        if (header != null) {
            log.info("MR7010 OnRemoteDelivery sinks added {} header field(s) for {}", attempt.added.size(), destination);
        }
        dev.mailroot.sink.protocol.Verdict v = o.verdict();
        String by = o.byName();
        return switch (v.kind()) {
            case REJECT, DISCONNECT -> {
                var r = v.reply() == null ? ProtocolEvents.TEMPFAIL : v.reply();
                yield new Verdict(Verdict.Kind.FAIL, SmtpReply.of(r.code(), r.enhanced(), r.text()),
                        "OnRemoteDelivery binding " + by + (o.tempfail() ? " failed (onError: tempfail)" : ""));
            }
            case QUARANTINE -> new Verdict(Verdict.Kind.HOLD, null, "held by OnRemoteDelivery binding " + by + ": " + v.reason());
            default -> new Verdict(Verdict.Kind.PROCEED, null, null, header);
        };
    }

    /** The attempt as the sinks see it; header fields they add go into {@code section}. */
    private static final class Attempt implements RemoteDelivery {
        private final String id;
        private final String destination;
        private final SpoolEnvelope env;
        private final List<String> rcpts;
        private final int attempts;
        private final HeaderSection section;
        private final List<String> added = new ArrayList<>();

        Attempt(String id, String destination, SpoolEnvelope env, List<String> rcpts, int attempts, HeaderSection section) {
            this.id = id;
            this.destination = destination;
            this.env = env;
            this.rcpts = List.copyOf(rcpts);
            this.attempts = attempts;
            this.section = section;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String destination() {
            return destination;
        }

        @Override
        public String mailFrom() {
            return env.mailFrom();
        }

        @Override
        public List<String> recipients() {
            return rcpts;
        }

        @Override
        public int previousAttempts() {
            return attempts;
        }

        @Override
        public Optional<String> authenticatedUser() {
            return Optional.ofNullable(env.authUser());
        }

        @Override
        public synchronized Optional<String> header(String name) {
            return section.first(name);
        }

        @Override
        public synchronized List<String> headers() {
            List<String> out = new ArrayList<>();
            for (HeaderSection.Field f : section.fields()) {
                out.add(f.name() + ": " + f.value());
            }
            return out;
        }

        @Override
        public synchronized void addHeader(String name, String value) {
            if (name == null || !FIELD_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a header field name: " + name);
            }
            if (value == null || value.indexOf('\0') >= 0 || value.replace("\r\n ", "").replace("\r\n\t", "").matches("(?s).*[\r\n].*")) {
                throw new IllegalArgumentException("a header value may not contain NUL or a line break that is not folding");
            }
            section.prepend(name, value);
            added.add(name + ": " + value + "\r\n");
        }
    }
}
