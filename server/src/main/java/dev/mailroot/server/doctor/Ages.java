package dev.mailroot.server.doctor;

import java.time.Duration;

/** An age as the doctor prints it: {@code 45s}, {@code 12m}, {@code 3h5m}, {@code 2d4h}. */
final class Ages {
    private Ages() {
    }

    static String of(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86400 ? s / 3600 + "h" + s % 3600 / 60 + "m"
                : s / 86400 + "d" + s % 86400 / 3600 + "h";
    }
}
