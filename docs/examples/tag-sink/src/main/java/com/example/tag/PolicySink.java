package com.example.tag;

import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import org.pf4j.Extension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Acts on the score {@link ScoreSink} noted. At or above the property {@code threshold} (5 by
 * default): the recipients listed in {@code strict} (comma-separated) are refused the message, the
 * others get it with a warning at the end of the body, and {@code notify} (an address) is told.
 */
@Extension
public final class PolicySink implements OnSubmissionSink {

    @Override
    public SinkStatus onSubmission(Submission submission, SinkContext context) throws IOException {
        double score = submission.notes().get(ScoreSink.SCORE).orElse(0.0);
        double threshold = Double.parseDouble(context.properties().getOrDefault("threshold", "5"));
        if (submission.source() == Source.SINK || score < threshold) {
            return SinkStatus.RUN_NEXT_SINK; // our own notices pass untouched
        }
        for (String strict : context.properties().getOrDefault("strict", "").split(",")) {
            if (!strict.isBlank()) {
                submission.setRecipientFate(strict.strip(), RecipientFate.reject("spam score " + score));
            }
        }
        try (InputStream body = submission.body(); OutputStream out = submission.replaceBody()) {
            body.transferTo(out);
            out.write(("-- \r\nWarning: this looks like spam (score " + score + ").\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        String notify = context.properties().get("notify");
        if (notify != null) {
            String id = submission.id();
            submission.send("", List.of(notify), out -> out.write(("Subject: spam notice\r\n\r\nMessage " + id
                    + " scored " + score + ".\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
        return SinkStatus.RUN_NEXT_SINK;
    }
}
