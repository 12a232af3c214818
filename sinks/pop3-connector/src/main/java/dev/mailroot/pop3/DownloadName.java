package dev.mailroot.pop3;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The file name of a download in {@code pop3/incoming/} (kept in {@code failed/}, and prefixed
 * {@code pop3-} in pickup): {@code <account>.<UIDL in hex>.eml}, or
 * {@code <account>.seq<number>-<nanos>.eml} for a message the server gives no UIDL. Neither form of
 * the last part contains a '.', so everything before the last '.' is the account: the name is
 * unambiguous for every permitted account name, dotted ones such as {@code carol.isp} included.
 *
 * @param account the account that downloaded it
 * @param uid     its UIDL, or null if the server gave none
 */
record DownloadName(String account, String uid) {

    private static final String SUFFIX = ".eml";

    static String of(String account, String uid) {
        return account + "." + HexFormat.of().formatHex(uid.getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    }

    static String withoutUid(String account, int messageNumber, long nanos) {
        return account + ".seq" + messageNumber + "-" + nanos + SUFFIX;
    }

    /** Reads a name made by {@link #of} or {@link #withoutUid}; empty for any other name. */
    static Optional<DownloadName> parse(String fileName) {
        if (!fileName.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
        int dot = stem.lastIndexOf('.');
        if (dot <= 0 || dot == stem.length() - 1) {
            return Optional.empty();
        }
        String account = stem.substring(0, dot);
        String last = stem.substring(dot + 1);
        if (last.matches("seq\\d+-\\d+")) {
            return Optional.of(new DownloadName(account, null));
        }
        try {
            return Optional.of(new DownloadName(account, new String(HexFormat.of().parseHex(last), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
