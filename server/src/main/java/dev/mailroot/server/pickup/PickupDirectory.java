package dev.mailroot.server.pickup;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.admission.Admission;
import dev.mailroot.server.address.RecipientVerdict;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.metrics.ServerMetrics;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.spool.MessageBuffer;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The pickup directory ({@code mailroot/pickup/}): files ending in {@code .eml} are submitted like
 * SMTP mail. One scanner thread finds settled files, oldest first, and claims each with an atomic
 * rename into {@code .claimed/<instance>/<id>.<name>}; workers read, check and spool them, then
 * delete the claim. {@code <instance>} is the server's identity ({@code Home.instanceId()}): servers
 * with different homes may share one pickup folder, and each finishes only its own claims. A bad file goes to badmail with its reason and never holds up the files behind it.
 *
 * <p>Crash safety: a message is handed on (and can therefore be delivered and leave the spool)
 * only after its claim file is deleted. So at start, a claim whose id is live in the spool was
 * already spooled and is deleted; any other claim is processed again. A killed server never loses
 * a pickup file and never takes one twice (like any message, it can be delivered twice if the
 * server dies between delivering it and recording that: at-least-once).
 *
 * <p>Scale: each scan streams the folder and keeps only the {@code batch} oldest settled files
 * (a bounded heap), so a backlog of any size is drained in bounded memory, oldest first.
 *
 * <p>A claim is read through one open file that was opened without following links
 * ({@link PickupFile}); an entry that is not a regular file goes to badmail as it is. While the
 * spool cannot store files, the pickup backs off as a whole ({@link PickupBackoff}).
 */
public final class PickupDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PickupDirectory.class);

    /**
     * @param settle  a file is taken only once it has not changed for this long
     * @param rescan  the folder is listed at least this often (besides change notifications)
     * @param workers how many files are processed at once
     * @param batch   how many files one scan claims at most (the memory bound)
     * @param watch   whether change notifications wake the scanner too (off: it only rescans)
     */
    public record Settings(Duration settle, Duration rescan, int workers, int batch, boolean watch) {
    }

    private record Claim(String id, String name, Path file) {
    }

    private record Candidate(Path path, long modified) {
    }

    private static final Comparator<Candidate> OLDEST_FIRST =
            Comparator.comparingLong(Candidate::modified).thenComparing(c -> c.path().getFileName().toString());

    private final Path dir;
    private final Path claimed;
    private final Settings settings;
    private final Admission admission;
    private final Badmail badmail;
    private final long maxSize;
    private final Clock clock;
    private final ServerMetrics metrics;
    private final BlockingQueue<Claim> work;
    private final PickupBackoff backoff;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;
    /** Runs on a candidate just before it is claimed (a test swaps the file there). */
    private volatile Consumer<Path> beforeClaim = p -> { };
    /** Runs on a claim after it was opened and read, before it is spooled (a test changes the file there). */
    private volatile Consumer<Path> whileRead = p -> { };

    /**
     * @param instance this server's identity: its claims live in {@code .claimed/<instance>/}
     */
    public PickupDirectory(Path dir, String instance, Settings settings, Spool spool, MessageIds ids,
                           LocalRecipients recipients, Badmail badmail, long maxSize, Clock clock,
                           Consumer<SpoolEntry> next) {
        this(dir, instance, settings, new Admission(recipients, spool, ids, clock, "localhost", next), badmail, maxSize, clock);
    }

    /**
     * @param instance  this server's identity: its claims live in {@code .claimed/<instance>/}
     * @param admission where each message goes in: made durable and handed to the queue
     */
    public PickupDirectory(Path dir, String instance, Settings settings, Admission admission, Badmail badmail,
                           long maxSize, Clock clock) {
        this(dir, instance, settings, admission, badmail, maxSize, clock, ServerMetrics.disabled());
    }

    /** As above, counting each file's result in {@code metrics} ({@code mailroot_pickup_files_total}). */
    public PickupDirectory(Path dir, String instance, Settings settings, Admission admission, Badmail badmail,
                           long maxSize, Clock clock, ServerMetrics metrics) {
        this.metrics = metrics;
        this.dir = dir;
        this.claimed = dir.resolve(".claimed").resolve(instance);
        this.settings = settings;
        this.admission = admission;
        this.badmail = badmail;
        this.maxSize = maxSize;
        this.clock = clock;
        this.work = new ArrayBlockingQueue<>(Math.max(16, settings.workers() * 16));
        this.backoff = new PickupBackoff(clock);
    }

    /** For tests: {@code hook} runs on each file just before the scanner claims it. */
    void beforeClaim(Consumer<Path> hook) {
        this.beforeClaim = hook;
    }

    /** For tests: {@code hook} runs on each claim after it was opened and read, before it is spooled. */
    void whileRead(Consumer<Path> hook) {
        this.whileRead = hook;
    }

    /**
     * Finishes what a previous run had claimed, then starts scanning.
     *
     * @param liveIds ids of the messages in the spool when it was opened
     */
    public void start(Set<String> liveIds) throws IOException {
        Files.createDirectories(claimed);
        for (int i = 0; i < settings.workers(); i++) {
            Thread t = new Thread(this::workLoop, "pickup-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        recover(liveIds);
        Thread scanner = new Thread(this::scanLoop, "pickup-scan");
        scanner.setDaemon(true);
        threads.add(scanner);
        scanner.start();
        log.info("MR1104 picking up *.eml files from {} (settle {} ms, rescan every {} s{})", dir,
                settings.settle().toMillis(), settings.rescan().toSeconds(),
                settings.watch() ? "" : ", change notifications off");
    }

    private void recover(Set<String> liveIds) throws IOException {
        adoptUnownedClaims();
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(claimed)) {
            ds.forEach(leftovers::add);
        }
        leftovers.sort(null);
        for (Path p : leftovers) {
            ClaimName claim = ClaimName.parse(p.getFileName().toString());
            if (liveIds.contains(claim.id())) {
                Files.deleteIfExists(p); // spooled before the stop; its claim was not yet removed
            } else {
                put(new Claim(claim.id(), claim.name(), p));
            }
        }
    }

    /**
     * Claims left directly in {@code .claimed/} by a server from before claims were kept per
     * instance: moved into this server's own claims (an atomic rename, so of servers sharing the
     * folder exactly one takes each) and then finished like its own. Every entry but the instance
     * folders is adopted, links included (as links): those are then refused to badmail, unread.
     */
    private void adoptUnownedClaims() throws IOException {
        List<Path> loose = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(claimed.getParent(),
                p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            ds.forEach(loose::add);
        }
        for (Path p : loose) {
            try {
                Files.move(p, claimed.resolve(p.getFileName()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.NoSuchFileException e) {
                // another server sharing the folder adopted it first
            }
        }
    }

    private void scanLoop() {
        WatchService watcher = null;
        try {
            if (settings.watch()) {
                watcher = dir.getFileSystem().newWatchService();
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            }
            while (!closed) {
                long waitMs = settings.rescan().toMillis();
                long held = backoff.waitMillis();
                if (held > 0) {
                    waitMs = held; // the spool cannot store files: files given back wake us, but are not taken
                } else {
                    boolean probing = backoff.backingOff();
                    boolean[] unsettled = {false};
                    int claimedNow = scan(unsettled, probing ? 1 : settings.batch());
                    if (claimedNow >= settings.batch()) {
                        continue; // a backlog: go straight on with the next oldest
                    }
                    if (unsettled[0]) {
                        waitMs = Math.min(waitMs, Math.max(50, settings.settle().toMillis() / 2));
                    }
                    if (probing && claimedNow > 0) {
                        waitMs = Math.min(waitMs, 100); // soon see whether the one file tried went through
                    }
                }
                if (watcher == null) {
                    Thread.sleep(waitMs);
                    continue;
                }
                WatchKey key = watcher.poll(waitMs, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents(); // any event (or an overflow) means: look again
                    key.reset();
                    WatchKey more;
                    while ((more = watcher.poll(20, TimeUnit.MILLISECONDS)) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("MR1103 the pickup scanner stopped: {}", e.toString(), e);
            }
        } finally {
            if (watcher != null) {
                try {
                    watcher.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
    }

    /** Claims up to {@code limit} settled files (at most one batch), oldest first; returns how many. */
    private int scan(boolean[] unsettled, int limit) throws InterruptedException {
        long settledBefore = clock.millis() - settings.settle().toMillis();
        PriorityQueue<Candidate> newestOnTop = new PriorityQueue<>(OLDEST_FIRST.reversed());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!isPickupName(p.getFileName().toString())) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                long modified = a.lastModifiedTime().toMillis();
                if (modified > settledBefore) {
                    unsettled[0] = true;
                    continue;
                }
                newestOnTop.add(new Candidate(p, modified));
                if (newestOnTop.size() > settings.batch()) {
                    newestOnTop.poll();
                }
            }
        } catch (IOException e) {
            log.error("MR1103 cannot list {}: {}", dir, e.toString());
            return 0;
        }
        List<Candidate> batch = new ArrayList<>(newestOnTop);
        batch.sort(OLDEST_FIRST);
        int count = 0;
        for (Candidate c : batch) {
            if (closed || count >= limit) {
                break;
            }
            String id = admission.newId();
            String name = c.path().getFileName().toString();
            String claimName = ClaimName.of(id, name);
            Path target = claimed.resolve(claimName);
            beforeClaim.accept(c.path());
            try {
                Files.move(c.path(), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                continue; // taken or removed by someone else
            } catch (IOException e) {
                log.error("MR1103 cannot claim pickup file {}: {}", name, e.toString());
                continue;
            }
            if (!claimName.endsWith("." + name)) {
                log.info("MR1108 pickup file {} has a name too long to keep in its claim; it is claimed as {}",
                        name, claimName);
            }
            put(new Claim(id, name, target));
            count++;
        }
        return count;
    }

    /** A name the pickup takes: ends in .eml (any case), does not start with '.', does not end in .tmp. */
    public static boolean isPickupName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && lower.endsWith(".eml") && !lower.endsWith(".tmp");
    }

    private void put(Claim c) {
        try {
            work.put(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the claim is recovered at the next start
        }
    }

    private void workLoop() {
        while (!closed) {
            Claim c;
            try {
                c = work.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (c != null) {
                MDC.put("msgId", c.id());
                try {
                    process(c);
                } finally {
                    MDC.remove("msgId");
                }
            }
        }
    }

    private void process(Claim c) {
        if (backoff.waitMillis() > 0) {
            giveBack(c, null); // claimed before the spool failed: tried again after the wait
            return;
        }
        try (PickupFile file = PickupFile.open(c.file())) {
            PickupMessage message = PickupMessage.read(file, maxSize);
            List<String> accepted = new ArrayList<>();
            List<Badmail.Failure> refused = new ArrayList<>();
            boolean connector = message.origin().connector() != null;
            for (String r : message.recipients()) {
                // a connector's recipients are its own addresses, mapped by its sink: judged at delivery
                RecipientVerdict v = connector ? admission.checkLocalPart(r) : admission.check(r);
                if (v.isLocal()) {
                    accepted.add(Admission.canonical(r, v));
                } else if (!connector && v.kind() == RecipientVerdict.Kind.NOT_LOCAL) {
                    accepted.add(r); // pickup is local and trusted: the outbound queue sends it
                } else {
                    String why = v.kind() == RecipientVerdict.Kind.NOT_LOCAL
                            ? "a connector's recipient must be local (" + v.kind().replyText(r) + ")"
                            : v.kind().replyText(r);
                    refused.add(new Badmail.Failure(r, why));
                }
            }
            if (accepted.isEmpty()) {
                quarantine(c, "no deliverable recipient: " + refused.stream()
                        .map(f -> "<" + f.recipient() + "> " + f.reason()).reduce((a, b) -> a + "; " + b).orElse(""));
                return;
            }
            whileRead.accept(c.file());
            store(c, message, accepted, refused);
            long now = file.sizeNow();
            if (now != file.size()) {
                // the KB's antivirus warning: another program rewrote the file while the server read it
                log.warn("MR8017 pickup file {} changed while it was read: {} bytes when opened, {} now; the {} bytes seen "
                        + "at the open were taken. Another program is writing in {} (an antivirus or backup scanner?)",
                        c.name(), file.size(), now, file.size(), dir);
            }
        } catch (NotARegularFile e) {
            quarantine(c, e.getMessage());
        } catch (BadPickupFile e) {
            quarantine(c, e.getMessage());
        } catch (AccessDeniedException e) {
            quarantine(c, "cannot read the file: permission denied");
        } catch (CannotStore e) {
            Duration wait = backoff.failed();
            giveBack(c, null);
            if (wait != null) {
                log.warn("MR1105 the spool cannot store pickup files ({}); pickup file {} is back in pickup, and the "
                        + "pickup waits {} s before it tries one again", e.getCause().toString(), c.name(), wait.toSeconds());
            }
        } catch (IOException e) {
            giveBack(c, e);
        }
    }

    /** The spool (or badmail, for refused recipients) could not store a pickup file: a full disk, most often. */
    private static final class CannotStore extends Exception {
        CannotStore(IOException cause) {
            super(cause);
        }
    }

    /** Spools the message (and puts refused recipients in badmail), removes the claim, passes the message on. */
    private void store(Claim c, PickupMessage message, List<String> accepted, List<Badmail.Failure> refused)
            throws CannotStore, IOException {
        PickupMessage.Origin origin = message.origin();
        SpoolEnvelope envelope = new SpoolEnvelope(message.sender(), accepted, null, origin.clientAddress(), clock.instant(),
                Source.PICKUP, c.name(), origin.connector(), origin.account());
        Admission.Admitted admitted;
        try {
            if (!refused.isEmpty()) {
                String newline = HeaderSection.newlineOf(message.content());
                Path bad = badmail.write(c.id(), envelope, refused.stream().map(Badmail.Failure::recipient).toList(),
                        message.content(), newline, refused.size() + " recipient(s) of pickup file " + c.name()
                                + " cannot be delivered", refused);
                log.warn("MR3003 {} recipient(s) of {} sent to badmail as {}", refused.size(), c.name(), bad.getFileName());
            }
            MessageBuffer buffer = admission.buffer(c.id());
            try (InputStream in = message.content().open()) {
                buffer.write(admission.receivedLocally("pickup", c.id(), "file " + c.name(),
                        HeaderSection.newlineOf(message.content())));
                in.transferTo(buffer);
            } catch (IOException e) {
                buffer.discard();
                throw e;
            }
            admitted = admission.admit(c.id(), envelope, buffer, 0, "pickupFile", c.name(), "connector", origin.connector(),
                    "account", origin.account(), "client", origin.clientAddress());
        } catch (IOException e) {
            throw new CannotStore(e);
        }
        Files.deleteIfExists(c.file());
        int failed = backoff.stored();
        if (failed > 0) {
            log.info("MR1106 the spool stores pickup files again (after {} failed tries); the pickup goes on", failed);
        }
        log.info("MR1101 picked up {} from <{}> to {} ({} bytes) message-id={}", c.name(), envelope.mailFrom(), accepted,
                message.content().size(), admitted.messageId() == null ? "-" : admitted.messageId());
        metrics.pickupFile("spooled");
        admission.queue(admitted.entry());
    }

    private void quarantine(Claim c, String reason) {
        try {
            boolean regular = Files.isRegularFile(c.file(), LinkOption.NOFOLLOW_LINKS);
            Path bad = badmail.quarantine(c.id(), c.file(), "pickup file " + c.name(), reason);
            metrics.pickupFile("badmail");
            log.warn("{} pickup file {} sent to badmail as {}: {}", regular ? "MR1102" : "MR1107", c.name(),
                    bad.getFileName(), reason);
        } catch (IOException e) {
            log.error("MR1103 pickup file {} is bad ({}) but cannot be moved to badmail: {}; it stays in {}",
                    c.name(), reason, e.toString(), claimed);
        }
    }

    /**
     * Puts a claimed file back into pickup to be tried again: after a failure that may pass
     * ({@code e}, logged), or quietly while the pickup backs off (the back-off is logged instead).
     */
    private void giveBack(Claim c, IOException e) {
        Path back = dir.resolve(c.name());
        if (Files.exists(back, LinkOption.NOFOLLOW_LINKS)) {
            back = dir.resolve(c.file().getFileName()); // the claim's name: unique, and short enough
        }
        try {
            Files.move(c.file(), back, StandardCopyOption.ATOMIC_MOVE);
            if (e != null) {
                log.error("MR1103 pickup file {} could not be read ({}); it is back in pickup and will be tried again",
                        c.name(), e.toString());
            } else {
                log.debug("pickup file {} is back in pickup until the spool can store files", c.name());
            }
        } catch (IOException moveFailed) {
            log.error("MR1103 pickup file {} could not be {} ({}) and stays in {} until the next start",
                    c.name(), e == null ? "spooled" : "read", e == null ? moveFailed.toString() : e.toString(), claimed);
        }
    }

    /**
     * Stops scanning and lets each worker finish the file it holds (a worker is not interrupted: a
     * file given back while its spool record commits would be picked up twice). Files claimed but
     * not started are finished at the next start.
     */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            if (t.getName().equals("pickup-scan")) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Claimed and waiting for a worker (for tests and metrics). */
    public int waiting() {
        return work.size();
    }
}
