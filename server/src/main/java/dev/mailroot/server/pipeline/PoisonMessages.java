package dev.mailroot.server.pipeline;

import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.dispatch.BindingHealth;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.BindingRef;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Poison-message protection, as Exchange's poison message queue: a message that was in a sink call
 * each time the process died, {@code threshold} times, is not run again. It goes to
 * {@code mailroot/poison/} ({@code <id>.bad}, re-submittable through pickup, and {@code <id>.bdr}
 * naming the bindings), the binding whose call was running at the last death is disabled with the
 * reason that {@code registry enum} shows, and the server goes on serving. Messages that were in
 * such a call fewer times are on probation: they run alone, before any other message, so that the
 * next death can only be theirs.
 */
public final class PoisonMessages {
    private static final Logger log = LoggerFactory.getLogger(PoisonMessages.class);

    private final Badmail folder;
    private final BindingHealth health;
    private final int threshold;

    /**
     * @param folder    {@code mailroot/poison/}
     * @param health    disables the guilty binding
     * @param threshold deaths in a sink call after which a message is poison (Exchange's default: 2)
     */
    public PoisonMessages(Badmail folder, BindingHealth health, int threshold) {
        this.folder = folder;
        this.health = health;
        this.threshold = threshold;
    }

    /** Whether {@code entry} is poison: the process died in its sink calls {@code threshold} times. */
    public boolean isPoison(SpoolEntry entry) {
        return entry.crashes() >= threshold;
    }

    /** Whether {@code entry} was in a sink call when the process died, but fewer times than the threshold. */
    public boolean onProbation(SpoolEntry entry) {
        return entry.crashes() > 0 && !isPoison(entry);
    }

    public int threshold() {
        return threshold;
    }

    /**
     * Moves a poison message out of the spool into the poison folder and disables the binding that
     * was running at its last death.
     */
    public void setAside(Spool spool, SpoolEntry entry) throws IOException {
        List<BindingRef> suspects = entry.suspects();
        BindingRef guilty = suspects.get(suspects.size() - 1);
        Set<String> named = new LinkedHashSet<>();
        suspects.forEach(b -> named.add(b.describe()));
        String bindings = String.join(", ", named);
        String reason = "poison message: the server died " + entry.crashes() + " times while a sink was handling it, in "
                + "binding(s) " + bindings + "; binding " + guilty.describe() + " is disabled";
        MessageContent content = spool.content(entry);
        Path file = folder.write(entry.id(), entry.envelope(), entry.envelope().recipients(), content,
                HeaderSection.newlineOf(content), reason, List.of());
        spool.done(entry, "poison");
        String cause = "poison message " + entry.id() + ": the server died " + entry.crashes()
                + " times while this binding's sink was handling it (the message is in mailroot/poison/"
                + file.getFileName() + ")";
        boolean recorded = health.disableNow(guilty.id(), guilty.name(), entry.crashes(), cause);
        log.error("MR2006 poison message set aside as {}: the server died {} times while a sink was handling it, "
                        + "in binding(s) {}; binding {} {} (release: docs/operations.md)", file, entry.crashes(),
                bindings, guilty.describe(), recorded ? "is disabled" : "should be disabled by hand ('registry disable')");
    }

    /** One line naming the bindings a message on probation was in when the process died. */
    static String describe(SpoolEntry entry) {
        return entry.suspects().stream().map(BindingRef::describe).distinct().collect(Collectors.joining(", "));
    }
}
