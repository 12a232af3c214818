package dev.mailroot.pop3;

import dev.mailroot.server.Main;
import dev.mailroot.server.TestServer;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** A server home with the connector as built in plugins/, for the POP3 connector's integration tests. */
final class ConnectorHome {

    static final Path JAR = Path.of(System.getProperty("plugin.jar", "target/pop3.jar"));

    private final Path home;

    ConnectorHome(Path home) {
        this.home = home;
    }

    Path path() {
        return home;
    }

    Path plugins() throws Exception {
        Path p = Files.createDirectories(home.resolve("plugins"));
        if (!Files.exists(p.resolve("pop3-connector.jar"))) {
            Files.copy(JAR, p.resolve("pop3-connector.jar"));
        }
        return p;
    }

    /** Writes {@code conf/pop3-connector.yaml}. */
    void accounts(String yaml) throws Exception {
        plugins();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/pop3-connector.yaml"), yaml);
    }

    /** Runs {@code bin/mailroot} with {@code args}: the exit code, a newline, then stdout and stderr. */
    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return exit + "\n" + out + err;
    }

    /** Waits for {@code count} messages in {@code box}; the text of the last. */
    /** How many messages {@code login}'s remote INBOX holds, asked over POP3 on {@code port}. */
    static int remoteCount(int port, String login, String password) throws Exception {
        jakarta.mail.Store store = jakarta.mail.Session.getInstance(new java.util.Properties()).getStore("pop3");
        store.connect("127.0.0.1", port, login, password);
        try {
            jakarta.mail.Folder f = store.getFolder("INBOX");
            f.open(jakarta.mail.Folder.READ_ONLY);
            int n = f.getMessageCount();
            f.close(false);
            return n;
        } finally {
            store.close();
        }
    }

    static String delivered(TestServer server, String box, int count) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail(box).size() >= count);
        return Files.readString(server.newMail(box).get(count - 1));
    }
}
