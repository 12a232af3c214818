package dev.mailroot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/mailroot} and {@code bin/registry} as a user runs them: the real launcher script in a
 * child process, in a folder of the test's choice, without {@code MAILROOT_HOME} unless the test
 * sets it. Output goes to files, so a child that prints a lot never blocks on a full pipe.
 */
public final class Launcher {
    /** The repository whose {@code bin/} is run ({@code mailroot.repo}, set by the build). */
    public static final Path REPO = Path.of(System.getProperty("mailroot.repo", "..")).toAbsolutePath().normalize();

    private Launcher() {
    }

    /** What a finished run left: its exit code, stdout and stderr. */
    public record Run(int exit, String out, String err) {
    }

    /**
     * Starts {@code bin/<script> args} in {@code dir}; stdout and stderr go to {@code <dir>/<script>.out}
     * and {@code .err}. {@code env} adds variables (a null value removes one).
     */
    public static Process start(String script, Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin").resolve(script).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve(script + ".out").toFile())
                .redirectError(dir.resolve(script + ".err").toFile());
        pb.environment().remove("MAILROOT_HOME");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb.start();
    }

    /** Runs {@code bin/<script> args} in {@code dir} to the end (at most 3 minutes: a first use builds). */
    public static Run run(String script, Path dir, Map<String, String> env, String... args) throws Exception {
        Process p = start(script, dir, env, args);
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/" + script + " " + String.join(" ", args) + " did not finish within 3 minutes");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve(script + ".out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve(script + ".err"), StandardCharsets.UTF_8));
    }

    public static Run run(String script, Path dir, String... args) throws Exception {
        return run(script, dir, Map.of(), args);
    }
}
