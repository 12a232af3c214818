package dev.mailroot.server.smtp;

import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A home for the TLS/AUTH tests: two mailboxes with passwords, and PEM pairs made by OpenSSL. */
final class TlsTestHome {
    static final String ALICE_PASSWORD = "alice-secret-1";
    static final String BOB_PASSWORD = "bob-secret-22";

    private TlsTestHome() {
    }

    /** {@code conf/mailboxes.yaml}: alice (alias a.smith, may send as anyone at partner.test) and bob, domain example.test. */
    static void mailboxes(Path home) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailboxes.yaml"), """
                mailboxes:
                  alice:
                    aliases: [a.smith]
                    sendAs: ["@partner.test"]
                    password: "%s"
                  bob:
                    password: "%s"
                """.formatted(BCrypt.hashpw(ALICE_PASSWORD, BCrypt.gensalt(4)), BCrypt.hashpw(BOB_PASSWORD, BCrypt.gensalt(4))));
    }

    /** Writes {@code cert.pem} and {@code key.pem} (PKCS#8) for {@code cn} into {@code folder} with OpenSSL. */
    static void pemPair(Path folder, String cn, String certName, String keyName) throws Exception {
        Files.createDirectories(folder);
        run(folder, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", keyName, "-out", certName, "-days", "2", "-subj", "/CN=" + cn);
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }

    /** The mail test's settings: domain example.test, fast failure delay and lockout. */
    static final String AUTH = """
            domains: [example.test]
            auth: {failureDelayMillis: 300, lockoutFailures: 3, lockoutSeconds: 2}
            """;
}
