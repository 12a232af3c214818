package com.example.tag;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import org.pf4j.Extension;

import java.time.Duration;
import java.util.Locale;

/**
 * Scores a message (a shouted subject is suspicious) into the note {@link #SCORE} for later sinks.
 * While its binding's property {@code paused} is {@code true}, mail waits and is scored later.
 */
@Extension
public final class ScoreSink implements OnSubmissionSink {

    /** The score, shared with the sinks that read it. */
    public static final Note<Double> SCORE = Note.of("example.score", Double.class);

    @Override
    public SinkStatus onSubmission(Submission submission, SinkContext context) {
        if (Boolean.parseBoolean(context.properties().get("paused"))) {
            submission.setFate(Fate.defer("scoring is paused", Duration.ofMinutes(5)));
            return SinkStatus.RUN_NEXT_SINK;
        }
        String subject = submission.headers().first("Subject").orElse("");
        boolean shouted = !subject.isEmpty() && subject.equals(subject.toUpperCase(Locale.ROOT));
        submission.notes().put(SCORE, shouted ? 6.0 : 0.0);
        return SinkStatus.RUN_NEXT_SINK;
    }
}
