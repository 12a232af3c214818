package dev.mailroot.server.sieve;

import java.io.InputStream;
import java.util.List;

/** The message tests run against at compile time: no fields, no envelope, no content. */
final class EmptyMail implements SieveMail {
    @Override
    public String envelopeSender() {
        return "";
    }

    @Override
    public String envelopeRecipient() {
        return "";
    }

    @Override
    public List<String> headers(String name) {
        return List.of();
    }

    @Override
    public List<String> headerNames() {
        return List.of();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public InputStream content() {
        return InputStream.nullInputStream();
    }
}
