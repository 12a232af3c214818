package dev.mailroot.server.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Clock sanity (MR8015) without a time server of our own: whether systemd says the clock is NTP
 * synchronised (when {@code timedatectl} answers), and whether a file in the spool or a mailbox
 * is dated in the future, which means the clock went back since it was written.
 */
final class ClockCheck {
    static final Duration SKEW = Duration.ofMinutes(5);
    private static final int MAX_FILES = 20_000;

    private ClockCheck() {
    }

    static Check run(Subject s) throws IOException {
        String name = "clock";
        List<String> warns = new ArrayList<>();
        String ntp = ntpSynchronized();
        if ("no".equals(ntp)) {
            warns.add("timedatectl: NTP not synchronised");
        }
        Instant newest = null;
        Path newestFile = null;
        int[] budget = {MAX_FILES};
        List<Path> dirs = new ArrayList<>(List.of(s.home().queue(), s.home().pickup(), s.home().badmail()));
        if (Files.isDirectory(s.home().mailboxes())) {
            try (DirectoryStream<Path> boxes = Files.newDirectoryStream(s.home().mailboxes())) {
                for (Path b : boxes) {
                    dirs.add(b.resolve("Maildir").resolve("new"));
                    dirs.add(b.resolve("Maildir").resolve("cur"));
                }
            }
        }
        for (Path d : dirs) {
            if (!Files.isDirectory(d) || budget[0] <= 0) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                for (Path f : files) {
                    if (budget[0]-- <= 0) {
                        break;
                    }
                    Instant at = Files.getLastModifiedTime(f).toInstant();
                    if (newest == null || at.isAfter(newest)) {
                        newest = at;
                        newestFile = f;
                    }
                }
            }
        }
        if (newest != null && newest.isAfter(s.now().plus(SKEW))) {
            warns.add(s.home().root().relativize(newestFile) + " is dated " + newest + ", " + Ages.of(Duration.between(s.now(), newest))
                    + " in the future: the clock went back");
        }
        String ntpWords = ntp == null ? "NTP state unknown (no timedatectl answer)" : "NTP synchronised: " + ntp;
        if (!warns.isEmpty()) {
            return new Check(name, "MR8015", Check.Status.WARN, String.join("; ", warns),
                    "enable time synchronisation (timedatectl set-ntp true, chrony or systemd-timesyncd); wrong clocks make "
                            + "retry times, Date: and Received: wrong");
        }
        return Check.ok(name, "MR8015", ntpWords + "; no file in the spool or mailboxes dated in the future");
    }

    /** {@code yes}, {@code no}, or null when {@code timedatectl} is absent or cannot tell (no systemd, no D-Bus). */
    private static String ntpSynchronized() {
        try {
            Process p = new ProcessBuilder("timedatectl", "show", "-p", "NTPSynchronized", "--value")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 && (out.equals("yes") || out.equals("no")) ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
