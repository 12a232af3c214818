package dev.mailroot.server.sieve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * What a Sieve script decided for one message and one mailbox: the actions in the script's order,
 * each at most once, and the problems met while running it.
 *
 * <p>A script that failed at run time decided nothing but {@link SieveAction.Keep}: mail is never
 * lost to a broken script; {@link #errors()} then says why, with the script's line where known.
 */
public record Decision(List<SieveAction> actions, List<String> errors) {

    public Decision {
        actions = List.copyOf(new LinkedHashSet<>(actions));
        errors = List.copyOf(errors);
    }

    /** The decision of a script that failed: keep, and the error. */
    static Decision keepAfterError(String error) {
        return new Decision(List.of(new SieveAction.Keep()), List.of(error));
    }

    /** Whether the message goes to the inbox. */
    public boolean keeps() {
        return actions.contains(new SieveAction.Keep());
    }

    /** The folders named by {@code fileinto}, in order. */
    public List<String> folders() {
        List<String> folders = new ArrayList<>();
        for (SieveAction a : actions) {
            if (a instanceof SieveAction.FileInto f) {
                folders.add(f.folder());
            }
        }
        return folders;
    }

    /** The addresses named by {@code redirect}, in order. */
    public List<String> redirects() {
        List<String> addresses = new ArrayList<>();
        for (SieveAction a : actions) {
            if (a instanceof SieveAction.Redirect r) {
                addresses.add(r.address());
            }
        }
        return addresses;
    }

    /** The vacation reply asked for, if any (a script may ask at most once). */
    public Optional<SieveAction.Vacation> vacation() {
        for (SieveAction a : actions) {
            if (a instanceof SieveAction.Vacation v) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
