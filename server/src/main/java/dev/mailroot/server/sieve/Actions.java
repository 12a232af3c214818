package dev.mailroot.server.sieve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.jsieve.mail.Action;
import org.apache.jsieve.mail.ActionDiscard;
import org.apache.jsieve.mail.ActionFileInto;
import org.apache.jsieve.mail.ActionKeep;
import org.apache.jsieve.mail.ActionRedirect;
import org.apache.jsieve.mail.optional.ActionVacation;

/** jSieve's actions, as the {@link Decision} the caller receives. */
final class Actions {

    private Actions() {
    }

    /** The decision for the actions a script added; a keep after an error if one cannot be carried out. */
    static Decision decide(List<Action> jsieveActions) {
        List<SieveAction> actions = new ArrayList<>();
        for (Action a : jsieveActions) {
            if (a instanceof ActionKeep) {
                actions.add(new SieveAction.Keep());
            } else if (a instanceof ActionDiscard) {
                actions.add(new SieveAction.Discard());
            } else if (a instanceof ActionFileInto f) {
                try {
                    MaildirFolders.directoryName(f.getDestination());
                } catch (IllegalArgumentException e) {
                    return Decision.keepAfterError("fileinto '" + SieveSyntaxError.oneLine(f.getDestination())
                            + "': " + e.getMessage());
                }
                actions.add(new SieveAction.FileInto(f.getDestination()));
            } else if (a instanceof ActionRedirect r) {
                String address = r.getAddress().strip();
                if (!isAddress(address)) {
                    return Decision.keepAfterError("redirect to '" + SieveSyntaxError.oneLine(address)
                            + "': not an address");
                }
                actions.add(new SieveAction.Redirect(address));
            } else if (a instanceof ActionVacation v) {
                actions.add(vacation(v));
            } else {
                return Decision.keepAfterError("action " + a.getClass().getSimpleName() + " is not supported");
            }
        }
        return new Decision(actions, List.of());
    }

    /** One {@code local@domain}, no display name, no white space or control character. */
    static boolean isAddress(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.length() > 320) {
            return false;
        }
        return address.chars().noneMatch(c -> c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',');
    }

    private static SieveAction.Vacation vacation(ActionVacation v) {
        boolean mime = v.getMime() != null;
        String reason = mime ? v.getMime() : v.getReason();
        String handle = v.getHandle() != null ? v.getHandle()
                : derivedHandle(v.getSubject(), v.getFrom(), reason, mime);
        return new SieveAction.Vacation(Duration.ofDays(Math.max(1, v.getDuration())),
                Optional.ofNullable(v.getSubject()), Optional.ofNullable(v.getFrom()),
                v.getAddresses() == null ? List.of() : v.getAddresses(), reason, handle, mime);
    }

    /** RFC 5230 §4.2: without {@code :handle}, a reply that changes is a new reply. */
    private static String derivedHandle(String subject, String from, String reason, boolean mime) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {subject, from, reason, mime ? "mime" : "text"}) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "auto-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }
}
