package com.example.tag;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import org.pf4j.Extension;

/** Adds the header its binding's properties name ({@code header}, {@code value}) to the mail it selects. */
@Extension
@DefaultBinding(
        id = "{9C1A7E2B-3D4F-4A5B-8C6D-7E8F9A0B1C2D}",
        name = "Tag mail to sales",
        rule = "RCPT TO=sales@*",
        priority = 1000,
        properties = {"header=X-Team", "value=sales"})
public final class TagSink implements OnSubmissionSink {

    @Override
    public SinkStatus onSubmission(Submission submission, SinkContext context) {
        String header = context.properties().get("header");
        if (header == null) {
            throw new IllegalArgumentException("sink property 'header' is missing");
        }
        submission.headers().add(header, context.properties().getOrDefault("value", ""));
        context.logger().info("tagged {} for {}", header, submission.envelope().recipients());
        return SinkStatus.RUN_NEXT_SINK;
    }
}
