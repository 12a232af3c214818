package dev.mailroot.server.delivery;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivered mail is read as is by real, independent Maildir readers: Dovecot ({@code doveadm
 * fetch} against a private Dovecot instance) and Python's {@code mailbox.Maildir}. Both are
 * installed by {@code .ci/run}.
 */
class MaildirReaderTest {

    @TempDir
    Path home;

    private static final String READER = String.join("\n",
            "import mailbox, sys",
            "md = mailbox.Maildir(sys.argv[1], factory=None, create=False)",
            "for key in sorted(md.keys()):",
            "    m = md[key]",
            "    body = m.get_payload(decode=True).decode().strip()",
            "    print('|'.join([m.get_subdir(), m['Return-Path'], m['Delivered-To'], m['Subject'], body]))");

    private static boolean installed(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static boolean python3() {
        return installed("python3", "--version");
    }

    private List<Path> deliverThree(TestServer server, String mailbox) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            for (int i = 1; i <= 3; i++) {
                assertThat(smtp.sendMail("a@example.org", List.of(mailbox + "@localhost"),
                        "Subject: message " + i + "\r\nContent-Type: text/plain\r\n\r\nbody " + i + "\r\n")).startsWith("250");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail(mailbox).size() == 3);
        return server.newMail(mailbox);
    }

    @Test
    void dovecotReadsWhatWasDelivered() throws Exception {
        // a missing peer fails loudly: .ci/run installs it, and a quiet skip would hide a check that never ran
        assertThat(installed("sh", "-c", "command -v doveadm && command -v dovecot"))
                .as("dovecot-core must be installed (.ci/run does: apt-get install dovecot-core)").isTrue();
        assertThat(System.getProperty("user.name")).as("this test starts a private dovecot, which needs root").isEqualTo("root");
        // Dovecot reads the mailbox as the unprivileged user 'nobody': the folders must be traversable
        for (Path p = home; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            if (p.startsWith(Path.of(System.getProperty("java.io.tmpdir"))) && !p.equals(Path.of(System.getProperty("java.io.tmpdir")))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path dove = Files.createDirectories(home.resolve("dovecot"));
        Path control = Files.createDirectories(dove.resolve("control"));
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = dove.resolve("dovecot.conf");
        Files.writeString(conf, String.join("\n",
                "protocols =",
                "first_valid_uid = 1",
                "default_internal_user = root",
                "default_login_user = root",
                "base_dir = " + dove.resolve("run"),
                "state_dir = " + dove.resolve("state"),
                "log_path = " + dove.resolve("dovecot.log"),
                // read-only use: indexes in memory, control files outside the Maildir
                "mail_location = maildir:" + home.resolve("mailroot/mailboxes") + "/%u/Maildir:INDEX=MEMORY:CONTROL=" + control + "/%u",
                "userdb {", "  driver = static", "  args = uid=65534 gid=65534 home=" + dove.resolve("home") + "/%u", "}",
                "passdb {", "  driver = static", "  args = nopassword=y", "}", ""));
        try (TestServer server = TestServer.start(home)) {
            deliverThree(server, "dove");
        }
        Process dovecot = new ProcessBuilder("dovecot", "-F", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dove.resolve("dovecot.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dove.resolve("run/auth-userdb")));
            Process fetch = new ProcessBuilder("doveadm", "-c", conf.toString(), "-f", "flow", "fetch", "-u", "dove",
                    "hdr.return-path hdr.delivered-to hdr.subject body", "ALL").redirectErrorStream(true).start();
            String out = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(fetch.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(fetch.exitValue()).as(out).isZero();
            for (int i = 1; i <= 3; i++) {
                assertThat(out).contains("hdr.return-path=<a@example.org> hdr.delivered-to=dove@localhost hdr.subject=message " + i
                        + " body=body " + i);
            }
        } finally {
            new ProcessBuilder("doveadm", "-c", conf.toString(), "stop").start().waitFor(10, TimeUnit.SECONDS);
            dovecot.destroy();
            dovecot.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pythonsMaildirReaderReadsWhatWasDelivered() throws Exception {
        assertThat(python3()).as("python3 must be installed (.ci/run installs it)").isTrue();
        try (TestServer server = TestServer.start(home)) {
            deliverThree(server, "reader");
            Process p = new ProcessBuilder("python3", "-c", READER,
                    home.resolve("mailroot/mailboxes/reader/Maildir").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out.strip().split("\n")).containsExactlyInAnyOrder(
                    "new|<a@example.org>|reader@localhost|message 1|body 1",
                    "new|<a@example.org>|reader@localhost|message 2|body 2",
                    "new|<a@example.org>|reader@localhost|message 3|body 3");
        }
    }
}
