package dev.mailroot.server.directory;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as administrators write them: {@code 200000 KB}, {@code 200MB}, {@code 1.5 GB}, {@code 1048576}. */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?B?|[KMGT]iB)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Bytes for {@code text}; KB/MB/GB/TB are powers of 1024 (as SBS and Dovecot count quota).
     *
     * @throws IllegalArgumentException saying what a size looks like
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (write 204800000, 200000 KB, 200 MB or 2 GB)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit.isEmpty() ? ' ' : unit.charAt(0)) {
            case 'K' -> 1024L;
            case 'M' -> 1024L * 1024;
            case 'G' -> 1024L * 1024 * 1024;
            case 'T' -> 1024L * 1024 * 1024 * 1024;
            default -> 1L;
        };
        double bytes = n * factor;
        if (bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (long) bytes;
    }

    /** {@code 195.3 MB}, {@code 512 KB}, {@code 900 bytes}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
