package dev.mailroot.server.protocol;

import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.server.tracking.MessageTracking;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * {@code mailroot/quarantine/}: messages an OnEndOfData sink chose to keep but not deliver, each as
 * {@code <id>.bad} (the message behind {@code x-sender:}/{@code x-receiver:} lines, so moving it into
 * {@code pickup/} delivers it) with {@code <id>.bdr} saying which binding and why, written durably
 * before the client gets its {@code 250}. Also records, in the message tracking log, the end of
 * messages that were discarded or quarantined before they reached the spool, so {@code
 * bin/mailroot trace} finds them.
 */
public final class Quarantine {
    private final Badmail folder;
    private final MessageTracking tracking;
    private final Clock clock;

    public Quarantine(Path dir, Clock clock, MessageTracking tracking) {
        this.folder = new Badmail(dir, clock, "Mailroot quarantine report");
        this.tracking = tracking;
        this.clock = clock;
    }

    public Path dir() {
        return folder.dir();
    }

    /** Keeps the message in quarantine; durable when this returns. */
    public Path keep(String id, SpoolEnvelope envelope, MessageContent content, ProtocolEvents.Outcome o) throws IOException {
        String reason = "quarantined by binding " + o.byName() + ": " + o.verdict().reason();
        return folder.write(id, envelope, envelope.recipients(), content, HeaderSection.newlineOf(content), reason, List.of());
    }

    /** Records in the tracking log that the message ended here ({@code discarded} or {@code quarantined}). */
    public void track(String id, SpoolEnvelope envelope, String what, ProtocolEvents.Outcome o, long size) {
        tracking.write(id, List.of(
                TraceEntry.of(envelope.arrivalTime(), "received", "source", envelope.sourceName(), "from", envelope.mailFrom(),
                        "to", String.join(",", envelope.recipients()), "size", Long.toString(size),
                        "client", envelope.clientAddress()),
                TraceEntry.of(clock.instant(), what, "binding", o.byName(), "reason", o.verdict().reason())));
    }
}
