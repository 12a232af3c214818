package dev.mailroot.stamp;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import org.pf4j.Extension;

/**
 * Adds one header to every message its binding matches: the header named by the sink property
 * {@code header}, with the value of {@code value} (empty if absent). Bind it several times with
 * different rules to tag mail by sender, recipient or client.
 *
 * <p>Its default binding is registered disabled, as an example to copy:
 * {@code registry enable Stamp} turns it on for all mail.
 */
@Extension
@DefaultBinding(id = "{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}", name = "Stamp", priority = 24575, enabled = false,
        properties = {"header=X-Mailroot-Stamp", "value=stamped"})
public final class StampSink implements OnSubmissionSink {

    @Override
    public SinkStatus onSubmission(Submission submission, SinkContext context) {
        String header = context.properties().get("header");
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("sink property 'header' is missing: it names the header to add");
        }
        submission.headers().add(header.strip(), context.properties().getOrDefault("value", ""));
        return SinkStatus.RUN_NEXT_SINK;
    }
}
