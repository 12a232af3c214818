package dev.mailroot.testkit;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.RecipientFate;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link ChainRunner} run decided and changed: the message's fate, the recipients' fates,
 * the submission as the sinks left it (envelope, headers, body, notes), the mail the sinks sent,
 * the bindings selected, the trace of calls and what the sinks logged.
 *
 * @param submission the submission, as the sinks left it
 * @param selected   the names of the bindings whose rule matched, in run order
 * @param trace      the calls made, in order
 * @param stoppedBy  the name of the binding that set a fate other than deliver, if any
 * @param logs       what the sinks logged through their contexts, in order
 */
public record ChainResult(FakeSubmission submission, List<String> selected, List<Call> trace,
                          Optional<String> stoppedBy, List<LogLine> logs) {
    public ChainResult {
        selected = List.copyOf(selected);
        trace = List.copyOf(trace);
        logs = List.copyOf(logs);
    }

    /** The message's fate. */
    public Fate fate() {
        return submission.fate();
    }

    /** The recipients given a fate, in the order decided. */
    public Map<String, RecipientFate> recipientFates() {
        return submission.recipientFates();
    }

    /** The recipients left for delivery. */
    public List<String> recipients() {
        return submission.envelope().recipients();
    }

    /** The notes on the message. */
    public FakeNotes notes() {
        return submission.notes();
    }

    /** The header section as the sinks left it. */
    public FakeHeaders headers() {
        return submission.headers();
    }

    /** The whole message as the sinks left it, as text. */
    public String contentAsString() {
        return submission.contentAsString();
    }

    /** The mail the sinks sent, in order. */
    public List<SentMail> sent() {
        return submission.sent();
    }

    /** The names of the bindings that were called, in order. */
    public List<String> ran() {
        return trace.stream().map(Call::bindingName).toList();
    }
}
