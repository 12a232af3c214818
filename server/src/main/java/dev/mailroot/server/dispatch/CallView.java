package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Envelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Headers;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import dev.mailroot.sink.MessageWriter;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.Notes;
import dev.mailroot.sink.RecipientFate;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
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
    private volatile boolean open = true;
    private final Envelope envelope = new EnvelopeView();
    private final Headers headers = new HeadersView();
    private final java.util.Set<String> changed = new java.util.LinkedHashSet<>();
    private final List<String> sent = new java.util.ArrayList<>();
    private final List<Replacement> streams = new java.util.ArrayList<>();

    /** The binding this call is for ("name {id}"), named on the mail it sends. */
    private final String caller;

    CallView(SpooledSubmission target, String caller) {
        this.target = target;
        this.caller = caller;
    }

    /** Closes the view; returns once no call through it is running. Replacement streams left open are discarded. */
    void revoke() {
        synchronized (lock) {
            open = false;
            for (Replacement r : streams) {
                r.discard();
            }
        }
    }

    /** What the call changed, in the order first changed: envelope, headers, content, notes, recipients, fate. */
    List<String> changes() {
        synchronized (lock) {
            return List.copyOf(changed);
        }
    }

    /** The ids of the messages the call sent. */
    List<String> sent() {
        synchronized (lock) {
            return List.copyOf(sent);
        }
    }

    private boolean mark(String what, boolean didChange) {
        if (didChange) {
            changed.add(what);
        }
        return didChange;
    }

    private void check() {
        if (!open) {
            throw new IllegalStateException("this sink call is over (it returned, failed or overran its time limit); "
                    + "the message has moved on: do not keep the submission");
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
        guardedRun(() -> {
            target.setFate(fate);
            changed.add("fate");
        });
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
            guardedRun(() -> {
                e().setMailFrom(address);
                changed.add("envelope");
            });
        }

        @Override
        public List<String> recipients() {
            return guarded(() -> e().recipients());
        }

        @Override
        public boolean addRecipient(String address) {
            return guarded(() -> mark("envelope", e().addRecipient(address)));
        }

        @Override
        public boolean removeRecipient(String address) {
            return guarded(() -> mark("envelope", e().removeRecipient(address)));
        }

        @Override
        public boolean replaceRecipient(String address, String replacement) {
            return guarded(() -> mark("envelope", e().replaceRecipient(address, replacement)));
        }

        @Override
        public void setRecipients(Collection<String> addresses) {
            guardedRun(() -> {
                e().setRecipients(addresses);
                changed.add("envelope");
            });
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

        @Override
        public Optional<String> authenticatedUser() {
            return e().authenticatedUser();
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
            guardedRun(() -> {
                h().add(name, value);
                changed.add("headers");
            });
        }

        @Override
        public void set(String name, String value) {
            guardedRun(() -> {
                h().set(name, value);
                changed.add("headers");
            });
        }

        @Override
        public int remove(String name) {
            return guarded(() -> {
                int n = h().remove(name);
                mark("headers", n > 0);
                return n;
            });
        }
    }

    @Override
    public InputStream content() throws IOException {
        synchronized (lock) {
            check();
            return target.content();
        }
    }

    @Override
    public OutputStream replaceBody() throws IOException {
        return replacement(true);
    }

    @Override
    public OutputStream replaceMessage() throws IOException {
        return replacement(false);
    }

    private OutputStream replacement(boolean body) throws IOException {
        synchronized (lock) {
            check();
            SpooledSubmission.Replacement out = body ? target.replaceBody() : target.replaceMessage();
            Replacement r = new Replacement(out);
            streams.add(r);
            return r;
        }
    }

    /** A replacement stream that works only while the call is open; closing it applies the new content. */
    private final class Replacement extends FilterOutputStream {
        private final SpooledSubmission.Replacement file;
        private volatile boolean done;

        Replacement(SpooledSubmission.Replacement out) {
            super(out);
            this.file = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (lock) {
                if (!open || done) {
                    throw new IOException(done ? "the replacement stream is closed" : "this sink call is over; the message has moved on");
                }
                out.write(b, off, len);
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (lock) {
                if (done) {
                    return;
                }
                check();
                done = true;
                out.close();
                changed.add("content");
            }
        }

        /** The call ended with the stream open: the replacement is given up and its file removed. */
        void discard() {
            if (!done) {
                done = true;
                file.abort();
            }
        }
    }

    @Override
    public Notes notes() {
        return notes;
    }

    @Override
    public boolean setRecipientFate(String recipient, RecipientFate fate) {
        return guarded(() -> mark("recipients", target.setRecipientFate(recipient, fate)));
    }

    @Override
    public Map<String, RecipientFate> recipientFates() {
        return guarded(target::recipientFates);
    }

    @Override
    public String send(String mailFrom, List<String> recipients, MessageWriter content) throws IOException {
        synchronized (lock) {
            check();
        }
        // not under the lock: writing a large message takes a while, and it is a message of its own
        String id = target.send(caller, mailFrom, recipients, content);
        synchronized (lock) {
            sent.add(id);
        }
        return id;
    }

    private final Notes notes = new Notes() {
        private Notes n() {
            return target.notes();
        }

        @Override
        public <T> Optional<T> get(Note<T> note) {
            return guarded(() -> n().get(note));
        }

        @Override
        public <T> void put(Note<T> note, T value) {
            guardedRun(() -> {
                n().put(note, value);
                changed.add("notes");
            });
        }

        @Override
        public boolean remove(String name) {
            return guarded(() -> mark("notes", n().remove(name)));
        }

        @Override
        public Set<String> names() {
            return guarded(() -> n().names());
        }
    };
}
