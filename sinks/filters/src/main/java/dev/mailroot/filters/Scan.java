package dev.mailroot.filters;

import java.util.List;
import java.util.Optional;

/**
 * What a scanning engine said about a message.
 *
 * @param engine      {@code rspamd} or {@code spamd}
 * @param score       the message's score
 * @param required    the engine's own spam threshold (rspamd: its reject score; spamd: {@code required_score})
 * @param action      rspamd's action ({@code no action}, {@code add header}, {@code reject}, ...); empty for spamd
 * @param symbols     the rules that matched, by name (rspamd)
 * @param smtpMessage rspamd's {@code messages.smtp_message}, if any
 */
record Scan(String engine, double score, double required, Optional<String> action, List<String> symbols,
            Optional<String> smtpMessage) {

    /** Whether the engine itself asks for a refusal (rspamd's action {@code reject}). */
    boolean engineRejects() {
        return action.filter("reject"::equals).isPresent();
    }
}
