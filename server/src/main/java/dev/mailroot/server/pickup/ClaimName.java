package dev.mailroot.server.pickup;

import java.nio.charset.StandardCharsets;

/**
 * The name of a claim in {@code .claimed/<instance>/}: {@code <id>.<original name>}. File systems
 * limit a name to 255 bytes, and an id and a dot take 14 of them, so a longer one is shortened to
 * {@code <id>.<start of the name>~<its .eml ending>}: it still fits, still parses (the id is
 * before the first dot), and is still a pickup name if it is given back. The original name is kept
 * in memory for the log and the badmail reason while the server runs; after a restart, the
 * shortened one stands for it.
 *
 * @param id   the message id the file was given
 * @param name the pickup file's name (shortened, if it had to be)
 */
record ClaimName(String id, String name) {
    /** The longest file name, in bytes, that the usual file systems (ext4, XFS, tmpfs, NFS) take. */
    static final int MAX_BYTES = 255;
    private static final String MARK = "~";

    /** The claim's file name for the pickup file {@code name}, shortened if need be. */
    static String of(String id, String name) {
        String full = id + "." + name;
        if (bytes(full) <= MAX_BYTES) {
            return full;
        }
        String ending = name.substring(name.length() - 4); // ".eml" in whatever case: a pickup name
        int budget = MAX_BYTES - bytes(id + "." + MARK + ending);
        StringBuilder start = new StringBuilder();
        int used = 0;
        for (int i = 0; i < name.length() - 4; ) {
            int cp = name.codePointAt(i);
            int n = bytes(new String(Character.toChars(cp)));
            if (used + n > budget) {
                break;
            }
            start.appendCodePoint(cp);
            used += n;
            i += Character.charCount(cp);
        }
        return id + "." + start + MARK + ending;
    }

    /** Reads a claim's file name back: the id before the first dot, the (maybe shortened) name after it. */
    static ClaimName parse(String fileName) {
        int dot = fileName.indexOf('.');
        return dot > 0 ? new ClaimName(fileName.substring(0, dot), fileName.substring(dot + 1))
                : new ClaimName(fileName, fileName);
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
