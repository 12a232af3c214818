package dev.mailroot.testkit;

import dev.mailroot.sink.Source;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A message a sink sent with {@link dev.mailroot.sink.Submission#send}: what the server would
 * admit as a new message with source {@link Source#SINK}.
 *
 * @param id         the id {@code send} returned
 * @param mailFrom   the envelope sender ({@code ""} for the null sender)
 * @param recipients the envelope recipients
 * @param content    the whole message as written, with {@code Message-ID} and {@code Date} added if
 *                   it had none
 * @param generation how many sink mails lead to this one: 1 for mail sent by a sink in reply to
 *                   mail from outside
 */
public record SentMail(String id, String mailFrom, List<String> recipients, byte[] content, int generation) {
    public SentMail {
        recipients = List.copyOf(recipients);
        content = content.clone();
    }

    /** The content as text (UTF-8). */
    public String contentAsString() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /**
     * This mail as the server would hand it to the sinks: a submission of source
     * {@link Source#SINK} with its own id, envelope and generation, to run through a chain (see
     * {@link ChainRunner#runAll}).
     */
    public FakeSubmission asSubmission() {
        return FakeSubmission.builder().id(id).source(Source.SINK).from(mailFrom).to(recipients)
                .message(content).generation(generation).build();
    }
}
