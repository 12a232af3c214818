package dev.mailroot.server;

import dev.mailroot.server.config.ConfigLoader;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.dispatch.SinkChain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Mailroot server in a temporary home, on a free loopback port, configured through a real
 * {@code conf/mailroot.yaml}.
 */
public final class TestServer implements AutoCloseable {
    private final Home home;
    private final MailrootServer server;

    private TestServer(Home home, MailrootServer server) {
        this.home = home;
        this.server = server;
    }

    /**
     * Starts a server in {@code root} with {@code yaml} written to conf/mailroot.yaml (the port is
     * forced to 0, and the shutdown grace to 2 s unless the yaml sets it).
     */
    public static TestServer start(Path root, String yaml, SinkChain sinks) throws Exception {
        Home home = new Home(root);
        Files.createDirectories(home.conf());
        String text = withTestDefaults(yaml);
        Files.writeString(home.configFile(), text);
        MailrootConfig config = new ConfigLoader().load(home.configFile(), true).withSmtpPort(0);
        return new TestServer(home, MailrootServer.start(home, config, sinks, Clock.systemDefaultZone()));
    }

    public static TestServer start(Path root) throws Exception {
        return start(root, "", SinkChain.EMPTY);
    }

    /**
     * Starts a server with the event-sink framework (plugins from plugins/, bindings from
     * conf/bindings.yaml) and waits until the plugins present at start have loaded, as an
     * administrator waits for the server's ready line.
     */
    public static TestServer startWithPlugins(Path root, String yaml) throws Exception {
        TestServer server = startWithPluginsLoading(root, yaml);
        if (!server.server().awaitPlugins(java.time.Duration.ofSeconds(90))) {
            server.close();
            throw new AssertionError("the plugins did not finish loading within 90 s");
        }
        return server;
    }

    /** Starts a server with the event-sink framework and returns at once, while its plugins may still be loading. */
    public static TestServer startWithPluginsLoading(Path root, String yaml) throws Exception {
        Home home = new Home(root);
        Files.createDirectories(home.conf());
        String text = withTestDefaults(yaml);
        Files.writeString(home.configFile(), text);
        MailrootConfig config = new ConfigLoader().load(home.configFile(), true).withSmtpPort(0);
        return new TestServer(home, MailrootServer.start(home, config, Clock.systemDefaultZone()));
    }

    /**
     * {@code yaml} with the shutdown grace at 2 s, MX lookups against a DNS server that is not there
     * (unless it configures {@code outbound:}) and, unless it says otherwise, mailboxes stored
     * with CRLF line ends: most tests compare delivered mail with what the client sent, byte for byte
     * (the embedded default, LF, is tested by the directory tests and the launcher tests).
     */
    static String withTestDefaults(String yaml) {
        String text = yaml.contains("shutdownGraceSeconds") ? yaml : yaml + "\nshutdownGraceSeconds: 2\n";
        if (!text.contains("mailboxes:")) {
            text += "\nmailboxes: {lineEnding: crlf}\n";
        }
        if (!text.contains("outbound:")) {
            // never the Internet's DNS: a resolver that is not there (remote mail waits, deferred)
            text += "\noutbound: {resolver: \"dns://127.0.0.1:9\"}\n";
        }
        return text;
    }

    public int port() {
        return server.smtpPort();
    }

    public Home home() {
        return home;
    }

    public MailrootServer server() {
        return server;
    }

    /** The files in {@code mailboxes/<box>/Maildir/new}, sorted by name; empty if none. */
    public List<Path> newMail(String mailbox) throws IOException {
        return files(home.mailboxes().resolve(mailbox).resolve("Maildir").resolve("new"));
    }

    public List<Path> badmail() throws IOException {
        return files(home.badmail());
    }

    /** Every regular file under the home, for checks that nothing was written where it should not be. */
    public List<Path> allFiles() throws IOException {
        return files(home.root(), Integer.MAX_VALUE);
    }

    /**
     * The delivered files under {@code mailboxes}: the contents of every {@code <box>/Maildir/new/}.
     * Safe while deliveries run (it never walks {@code tmp/}, where files are renamed away).
     */
    public static List<Path> delivered(Path mailboxes) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(mailboxes)) {
            return out;
        }
        List<Path> boxes;
        try (Stream<Path> s = Files.list(mailboxes)) {
            boxes = s.toList();
        }
        for (Path box : boxes) {
            out.addAll(files(box.resolve("Maildir").resolve("new")));
        }
        return out;
    }

    static List<Path> files(Path dir) throws IOException {
        return files(dir, 1);
    }

    static List<Path> files(Path dir, int depth) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir, depth)) {
            List<Path> out = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
            return out;
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
