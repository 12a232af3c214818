package dev.mailroot.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code dev.mailroot.server.Main} in a child JVM, as {@code bin/mailroot} does. */
public final class ChildServer implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildServer(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code Main} with {@code args}; output goes to files in {@code home}. */
    public static ChildServer start(Path home, String... args) throws IOException {
        return start(home, List.of(), args);
    }

    /**
     * Starts {@code Main} with {@code args} under a command {@code prefix} (such as
     * {@code setpriv ...} to run it with fewer privileges); output goes to files in {@code home}.
     */
    public static ChildServer start(Path home, List<String> prefix, String... args) throws IOException {
        Files.createDirectories(home);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=logback.xml", Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = home.resolve("child.out");
        Path err = home.resolve("child.err");
        Process p = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildServer(p, out, err);
    }

    /** Whether an SMTP server greets with 220 on {@code port} of 127.0.0.1 now. */
    public static boolean listening(int port) {
        try (SmtpClient c = new SmtpClient(port)) {
            return c.greeting().startsWith("220");
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Process process() {
        return process;
    }

    public int waitForExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within " + seconds + " s");
        }
        return process.exitValue();
    }

    public String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Sends SIGTERM, as {@code kill PID} does. */
    public void terminate() {
        process.destroy();
    }

    /** Sends SIGKILL, as {@code kill -9 PID} does. */
    public void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
