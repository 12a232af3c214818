package dev.mailroot.filters;

import dev.mailroot.sink.Note;

/**
 * The notes the filters leave on a session (and so on its messages, where OnSubmission sinks read
 * them with {@code submission.notes()}).
 */
public final class FilterNotes {
    /** The connection filter's allow list let the client in: the network that matched. */
    public static final Note<String> ALLOWED = Note.of("filters.allowed", String.class);
    /** The first block list zone that lists the client (whether it refused the connection or only noted it). */
    public static final Note<String> DNSBL = Note.of("filters.dnsbl", String.class);
    /** The listing address the zone answered ({@code 127.0.0.2}). */
    public static final Note<String> DNSBL_CODE = Note.of("filters.dnsbl.code", String.class);
    /** Why the sender filter tagged the transaction (action {@code tag}). */
    public static final Note<String> SENDER = Note.of("filters.sender", String.class);
    /** The content filter's score. */
    public static final Note<Double> SPAM_SCORE = Note.of("filters.spam.score", Double.class);
    /** What the content filter did: {@code pass}, {@code tag}, {@code quarantine}, {@code reject}, {@code not scanned: ...}. */
    public static final Note<String> SPAM_VERDICT = Note.of("filters.spam", String.class);

    private FilterNotes() {
    }
}
