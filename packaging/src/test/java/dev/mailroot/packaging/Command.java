package dev.mailroot.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program run as a user runs it, in a child process: its exit code, stdout and stderr. Output goes to
 * files in the working folder, so a child that prints a lot never blocks on a full pipe.
 */
record Command(int exit, String out, String err) {

    /** The repository's root ({@code mailroot.repo}, set by the build). */
    static final Path REPO = Path.of(System.getProperty("mailroot.repo", "..")).toAbsolutePath().normalize();

    /** Runs {@code cmd} in {@code dir} with {@code env} added (a null value removes a variable), at most 2 minutes. */
    static Command run(Path dir, Map<String, String> env, List<String> cmd) throws IOException, InterruptedException {
        Process p = start(dir, env, cmd);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within 2 minutes");
        }
        return new Command(p.exitValue(), Files.readString(out(dir, cmd), StandardCharsets.UTF_8),
                Files.readString(err(dir, cmd), StandardCharsets.UTF_8));
    }

    static Command run(Path dir, String... cmd) throws IOException, InterruptedException {
        return run(dir, Map.of(), List.of(cmd));
    }

    /** Starts {@code cmd} in {@code dir}; its output goes to {@code <dir>/<program>.out} and {@code .err}. */
    static Process start(Path dir, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out(dir, cmd).toFile()).redirectError(err(dir, cmd).toFile());
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

    /** Fails, naming the Debian package that provides it, when {@code program} is not on PATH: a missing tool never skips a test. */
    static void require(String program, String packageName) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + program).redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new AssertionError(program + " is missing: install the Debian package " + packageName
                    + " (.ci/run does)");
        }
    }

    private static Path out(Path dir, List<String> cmd) {
        return dir.resolve(Path.of(cmd.get(0)).getFileName() + ".out");
    }

    private static Path err(Path dir, List<String> cmd) {
        return dir.resolve(Path.of(cmd.get(0)).getFileName() + ".err");
    }
}
