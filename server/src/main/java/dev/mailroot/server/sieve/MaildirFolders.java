package dev.mailroot.server.sieve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Where a folder named by {@code fileinto} lives in a mailbox's Maildir: the Maildir++ layout that
 * Dovecot and Courier read, one directory per folder beside {@code cur/new/tmp}, named by the path
 * with a leading dot and dots between levels: {@code Work/Reports} is {@code .Work.Reports}.
 *
 * <p>Both {@code /} and {@code .} separate levels (IMAP clients show Maildir++ folders with either),
 * so {@code Work.Reports} is the same folder. A leading {@code INBOX} level is the inbox itself:
 * {@code INBOX} is the Maildir's root, {@code INBOX/Work} is {@code .Work}. Characters outside
 * printable ASCII, and {@code &}, are written in IMAP's modified UTF-7 (RFC 3501 §5.1.3), as
 * those servers do: {@code Reçus} is {@code .Re&AOc-us}.
 */
public final class MaildirFolders {

    /** Longest directory name written: most file systems allow 255 bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private MaildirFolders() {
    }

    /**
     * The directory name of a folder, relative to the mailbox's Maildir: {@code ""} for the inbox
     * (the Maildir itself), else one name starting with a dot and holding no {@code /}.
     *
     * @throws IllegalArgumentException for a name that is empty, has an empty level ({@code a//b},
     *                                  {@code a..b}, a leading or trailing separator, which covers
     *                                  {@code ..} and a leading dot), a control character or a
     *                                  backslash, or is too long on disk
     */
    public static String directoryName(String folder) {
        if (folder == null || folder.isEmpty()) {
            throw new IllegalArgumentException("empty folder name");
        }
        for (int i = 0; i < folder.length(); i++) {
            char c = folder.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c) && !validSurrogate(folder, i)) {
                throw new IllegalArgumentException("folder name with a control character or backslash");
            }
        }
        List<String> levels = new ArrayList<>(List.of(folder.split("[/.]", -1)));
        for (String level : levels) {
            if (level.isEmpty()) {
                throw new IllegalArgumentException("folder name with an empty level: '" + folder + "'");
            }
        }
        if (levels.get(0).toUpperCase(Locale.ROOT).equals("INBOX")) {
            levels.remove(0);
            if (levels.isEmpty()) {
                return "";
            }
        }
        StringBuilder name = new StringBuilder();
        for (String level : levels) {
            name.append('.').append(modifiedUtf7(level));
        }
        if (name.toString().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("folder name too long");
        }
        return name.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** RFC 3501 §5.1.3: printable ASCII as is, {@code &} as {@code &-}, the rest as {@code &<base64 of UTF-16>-}. */
    static String modifiedUtf7(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            int end = i;
            while (end < s.length() && (s.charAt(end) < 0x20 || s.charAt(end) > 0x7e)) {
                end++;
            }
            byte[] utf16 = s.substring(i, end).getBytes(StandardCharsets.UTF_16BE);
            out.append('&')
                    .append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
                    .append('-');
            i = end;
        }
        return out.toString();
    }
}
