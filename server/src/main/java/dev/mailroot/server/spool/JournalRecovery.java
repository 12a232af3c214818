package dev.mailroot.server.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the live messages of a {@link JournalSpool} from its journal at open: each intact record
 * in order, a message's later state replacing its earlier one, and the sink calls still open at the
 * end (the process died in them); then {@link #checkContent()}, which needs the whole journal read.
 */
final class JournalRecovery implements Journal.Replay {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final Path dir;
    private final ContentCache cache;

    JournalRecovery(Path dir, ContentCache cache) {
        this.dir = dir;
        this.cache = cache;
    }

    /**
     * Drops the messages whose content file is missing (they cannot be delivered; {@code MR1013}),
     * and lets a message whose sinks' replaced content is missing stand as it was accepted, its sinks
     * to run again. Whether a file exists is known only once the journal is read: a DONE record later
     * on may say the message left, and its file with it.
     */
    void checkContent() {
        live.values().removeIf(e -> {
            if (e.external() == null || Files.isRegularFile(e.external())) {
                Progress.ContentFile replaced = e.progress().content();
                if (replaced != null && !Files.isRegularFile(dir.resolve(replaced.name()))) {
                    log.error("MR1013 id={} is in the spool but the content its sinks wrote ({}) is missing; it goes "
                            + "through its sinks again as it was accepted", e.id(), replaced.name());
                    Progress p = e.progress();
                    e.state(e.envelope(), Stage.SUBMITTED, null, new Progress(List.of(), p.notes(), p.outcomes(), null,
                            p.trace(), p.generation()));
                }
                return false;
            }
            log.error("MR1013 id={} is in the spool but its content file {} is missing; it cannot be delivered", e.id(),
                    e.external().getFileName());
            return true;
        });
    }

    final Map<String, SpoolEntry> live = new LinkedHashMap<>();
    /** The call each message was in at the end of the journal, if any: the process died in it. */
    final Map<String, BindingRef> openCalls = new java.util.HashMap<>();

    @Override
    public void record(Journal.Position position, byte type, byte[] payload) throws IOException {
        try {
            switch (type) {
                case Records.SUBMIT -> submit(position, payload);
                case Records.UPDATE -> {
                    Records.State s = Records.decodeState(payload, false);
                    SpoolEntry e = live.get(s.id());
                    openCalls.remove(s.id());
                    if (e != null) {
                        e.state(s.envelope(), s.stage(), s.override(), s.progress());
                        e.crashed(0, List.of());
                    }
                }
                case Records.PROGRESS -> {
                    Records.State s = Records.decodeState(payload, false);
                    SpoolEntry e = live.get(s.id());
                    if (e != null) {
                        e.state(s.envelope(), s.stage(), s.override(), s.progress());
                    }
                }
                case Records.DONE -> {
                    String id = Records.decodeId(payload);
                    live.remove(id);
                    openCalls.remove(id);
                }
                case Records.CALL -> {
                    String id = Records.decodeId(payload);
                    if (live.containsKey(id)) {
                        openCalls.put(id, Records.decodeCall(payload));
                    }
                }
                case Records.CALL_END -> openCalls.remove(Records.decodeId(payload));
                case Records.CHAIN_END -> {
                    String id = Records.decodeId(payload);
                    SpoolEntry e = live.get(id);
                    openCalls.remove(id);
                    if (e != null) {
                        e.state(e.envelope(), Stage.DISPATCHED, e.override(),
                                e.progress().traced(Records.decodeChainEnd(payload)).chainEnded());
                        e.crashed(0, List.of());
                    }
                }
                case Records.SUSPECT -> {
                    Records.Suspect sus = Records.decodeSuspect(payload);
                    SpoolEntry e = live.get(sus.id());
                    openCalls.remove(sus.id()); // counted when this record was written
                    if (e != null) {
                        e.crashed(sus.crashes(), sus.bindings());
                    }
                }
                default -> corrupt(position.segment(), position.offset(), "unknown record type " + type);
            }
        } catch (IOException | RuntimeException e) {
            corrupt(position.segment(), position.offset(), "unreadable record: " + e);
        }
    }

    private void submit(Journal.Position position, byte[] payload) throws IOException {
        Records.State s = Records.decodeState(payload, true);
        SpoolEntry entry;
        if (s.external()) {
            Path file = dir.resolve(s.externalFile());
            if (!file.getParent().equals(dir)) {
                corrupt(position.segment(), position.offset(), "a content file name outside the spool: " + s.externalFile());
                return;
            }
            // whether the file exists is checked once the journal is read: a DONE record
            // later on may say the message left (and its file with it)
            entry = new SpoolEntry(s.id(), s.envelope(), s.stage(), s.override(), s.progress(), s.contentLength(), file,
                    position.segment(), 0, null);
        } else {
            int off = s.inlineOffset();
            int len = (int) s.contentLength();
            byte[] cached = cache.reserve(len) ? Arrays.copyOfRange(payload, off, off + len) : null;
            entry = new SpoolEntry(s.id(), s.envelope(), s.stage(), s.override(), s.progress(), len, null,
                    position.segment(), position.payloadOffset(off), cached);
        }
        openCalls.remove(s.id()); // a rewrite happens between calls, never during one
        SpoolEntry previous = live.remove(s.id()); // a rewrite: the later copy wins
        if (previous != null) {
            cache.release(previous.cached());
        }
        live.put(s.id(), entry);
    }

    @Override
    public void corrupt(long segment, long offset, String why) {
        log.warn("MR1013 spool segment {} offset {}: {}", segment, offset, why);
    }
}
