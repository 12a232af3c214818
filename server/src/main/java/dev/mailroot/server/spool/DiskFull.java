package dev.mailroot.server.spool;

import java.util.Locale;

/**
 * Whether an I/O failure means the file system is out of space (or the writer out of quota), as
 * opposed to any other I/O error. Intake answers the first with {@code 452 4.3.1} and the second
 * with {@code 451 4.3.0}, and the pickup backs off from both alike; this is the one place that
 * tells them apart.
 */
public final class DiskFull {
    private DiskFull() {
    }

    /** True if {@code e} or one of its causes is an "out of space" error (ENOSPC, EDQUOT). */
    public static boolean causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")
                        || lower.contains("not enough space on the disk")) {
                    return true;
                }
            }
        }
        return false;
    }
}
