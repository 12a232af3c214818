package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Envelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Headers;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What one sink call sees of the submission: the submission itself, until the call is over. When
 * the dispatcher gives up on a call (it overran its time limit) it revokes the view, and whatever
 * the sink still does through it fails with {@link IllegalStateException}, so a late sink cannot
 * change a message that has moved on. Calls through the view and the revocation are serialised, so
 * no change is half made when the view closes.
 */
final class CallView implements Submission {
    private final SpooledSubmission target;
    private final Object lock = new Object();
    private boolean open = true;
    private final Envelope envelope = new EnvelopeView();
    private final Headers headers = new HeadersView();

    CallView(SpooledSubmission target) {
        this.target = target;
    }

    /** Closes the view; returns once no call through it is running. */
    void revoke() {
        synchronized (lock) {
            open = false;
        }
    }

    private void check() {
        if (!open) {
            throw new IllegalStateException("this sink call is over (it overran its time limit); the message has moved on");
        }
    }


    private <T> T guarded(java.util.function.Supplier<T> s) {
        synchronized (lock) {
            check();
            return s.get();
        }
    }

    private void guardedRun(Runnable r) {
        synchronized (lock) {
            check();
            r.run();
        }
    }

    @Override
    public String id() {
        return target.id();
    }

    @Override
    public Source source() {
        return target.source();
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public InputStream body() throws IOException {
        synchronized (lock) {
            check();
            return target.body();
        }
    }

    @Override
    public long size() {
        return target.size();
    }

    @Override
    public MimeMessage mimeMessage() throws MessagingException, IOException {
        synchronized (lock) {
            check();
            return target.mimeMessage();
        }
    }

    @Override
    public Fate fate() {
        return guarded(target::fate);
    }

    @Override
    public void setFate(Fate fate) {
        guardedRun(() -> target.setFate(fate));
    }

    private final class EnvelopeView implements Envelope {
        private Envelope e() {
            return target.envelope();
        }

        @Override
        public String mailFrom() {
            return guarded(() -> e().mailFrom());
        }

        @Override
        public void setMailFrom(String address) {
            guardedRun(() -> e().setMailFrom(address));
        }

        @Override
        public List<String> recipients() {
            return guarded(() -> e().recipients());
        }

        @Override
        public boolean addRecipient(String address) {
            return guarded(() -> e().addRecipient(address));
        }

        @Override
        public boolean removeRecipient(String address) {
            return guarded(() -> e().removeRecipient(address));
        }

        @Override
        public boolean replaceRecipient(String address, String replacement) {
            return guarded(() -> e().replaceRecipient(address, replacement));
        }

        @Override
        public void setRecipients(Collection<String> addresses) {
            guardedRun(() -> e().setRecipients(addresses));
        }

        @Override
        public Optional<String> helo() {
            return e().helo();
        }

        @Override
        public Optional<String> clientAddress() {
            return e().clientAddress();
        }

        @Override
        public Instant arrivalTime() {
            return e().arrivalTime();
        }

        @Override
        public Optional<String> pickupFileName() {
            return e().pickupFileName();
        }
    }

    private final class HeadersView implements Headers {
        private Headers h() {
            return target.headers();
        }

        @Override
        public Optional<String> first(String name) {
            return guarded(() -> h().first(name));
        }

        @Override
        public List<String> all(String name) {
            return guarded(() -> h().all(name));
        }

        @Override
        public List<String> names() {
            return guarded(() -> h().names());
        }

        @Override
        public void add(String name, String value) {
            guardedRun(() -> h().add(name, value));
        }

        @Override
        public void set(String name, String value) {
            guardedRun(() -> h().set(name, value));
        }

        @Override
        public int remove(String name) {
            return guarded(() -> h().remove(name));
        }
    }

    // --- sink framework v2: implemented in the following commits
    @Override
    public InputStream content() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.io.OutputStream replaceBody() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.io.OutputStream replaceMessage() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public dev.mailroot.sink.Notes notes() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public boolean setRecipientFate(String recipient, dev.mailroot.sink.RecipientFate fate) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.util.Map<String, dev.mailroot.sink.RecipientFate> recipientFates() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String send(String mailFrom, java.util.List<String> recipients, dev.mailroot.sink.MessageWriter content) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
}
