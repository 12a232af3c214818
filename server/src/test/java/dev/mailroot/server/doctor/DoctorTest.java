package dev.mailroot.server.doctor;

import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.Home;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.config.ConfigLoader;
import dev.mailroot.server.config.MailrootConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The doctor's checks as a library: inside a running server (its own {@link DoctorSchedule},
 * {@code GET /doctor}, {@code POST /doctor/run}) and against a stopped home. The real launcher's
 * output and exit codes are {@code DoctorIT}'s.
 */
class DoctorTest {
    @TempDir
    Path root;

    private static Check check(DoctorReport r, String id) {
        return r.checks().stream().filter(c -> c.eventId().equals(id)).findFirst().orElseThrow();
    }

    private DoctorReport stopped(Duration since) throws Exception {
        Home home = new Home(root);
        MailrootConfig config = new ConfigLoader().load(home.configFile(), false);
        return new Doctor(home, config, ServerView.NONE, Clock.systemUTC()).run(since);
    }

    @Test
    void healthyServerPassesEveryCheckAndLogsAProblemOncePerChange() throws Exception {
        try (TestServer server = TestServer.start(root); LogCapture log = new LogCapture()) {
            DoctorReport r = server.server().doctor().runNow();
            assertThat(r.checks()).extracting(Check::eventId)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 16).mapToObj(i -> String.format("MR80%02d", i)).toList());
            assertThat(r.checks()).filteredOn(c -> c.status() == Check.Status.WARN || c.status() == Check.Status.FAIL).isEmpty();
            assertThat(check(r, "MR8001").detail()).contains("1 listener(s) greet 220");
            assertThat(check(r, "MR8002").detail()).contains("valid");
            assertThat(check(r, "MR8014").detail()).contains("refused (5xx) on 1 listener(s)");
            assertThat(server.server().doctor().latest()).contains(r);

            Files.createDirectories(root.resolve("sieve"));
            Files.writeString(root.resolve("sieve/bob.sieve"), "require \"fileinto\";\nfilein \"Junk\";\n");
            assertThat(check(server.server().doctor().runNow(), "MR8012").status()).isEqualTo(Check.Status.FAIL);
            server.server().doctor().runNow();
            assertThat(log.containing("MR8012 doctor sieve: bob.sieve: line 2: unknown command 'filein'")).hasSize(1);

            Files.delete(root.resolve("sieve/bob.sieve"));
            assertThat(check(server.server().doctor().runNow(), "MR8012").status()).isEqualTo(Check.Status.OK);
            assertThat(log.containing("MR8012 doctor sieve: ok again")).hasSize(1);
        }
    }

    @Test
    void theReportIsServedBehindTheTokenAtGetDoctorAndPostDoctorRun() throws Exception {
        try (TestServer server = TestServer.start(root)) {
            AdminClient admin = AdminClient.of(root);
            AdminClient.Response got = admin.get("/doctor");
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.body().lines()).hasSize(16).allSatisfy(l -> assertThat(l).startsWith("{\"name\":"));
            AdminClient.Response ran = admin.post("/doctor/run", Map.of());
            assertThat(ran.status()).isEqualTo(200);
            assertThat(ran.body()).contains("\"id\":\"MR8014\",\"status\":\"ok\"");

            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + server.server().adminPort() + "/doctor/run");
            var noToken = http.send(java.net.http.HttpRequest.newBuilder(uri).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            var get = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Authorization", "Bearer "
                    + Files.readString(root.resolve("mailroot/admin.token")).strip()).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void stoppedServerFailsTheServerCheckAndSkipsWhatNeedsIt() throws Exception {
        DoctorReport r = stopped(Duration.ofHours(24));
        assertThat(r.failed()).isTrue();
        assertThat(check(r, "MR8001").line()).startsWith("fail  server         MR8001  not running for ");
        assertThat(check(r, "MR8009").status()).isEqualTo(Check.Status.SKIP);
        assertThat(check(r, "MR8009").detail()).startsWith("server not running");
        assertThat(check(r, "MR8014").detail()).startsWith("server not running");
    }

    @Test
    void eachBrokenThingGetsItsOwnLineAndId() throws Exception {
        Home home = new Home(root);
        home.create();
        Files.writeString(home.configFile(), """
                relay: {trustedNetworks: [0.0.0.0/0]}
                listeners:
                  - {name: submission, port: 587, tls: starttls, anonymous: true}
                tls: {cert: cert.pem, key: key.pem}
                """);
        // a certificate that expired 8 days ago
        Path ks = root.resolve("old.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(root, keytool, "-genkeypair", "-alias", "x", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=old.test",
                "-startdate", "-10d", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit");
        run(root, keytool, "-exportcert", "-rfc", "-alias", "x", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", home.conf().resolve("cert.pem").toString());
        // a file where a folder should be
        Files.delete(home.quarantine());
        Files.writeString(home.quarantine(), "not a folder");
        // a pickup file waiting for 20 minutes
        Path old = Files.writeString(home.pickup().resolve("old.eml"), "From: a@localhost\n\nx\n");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(20).plusSeconds(30))));
        // a badmail entry of today, with its reason
        Files.writeString(home.badmail().resolve("0ABC.bad"), "From: a@localhost\n\nx\n");
        Files.writeString(home.badmail().resolve("0ABC.bdr"), "Message-Id:  0ABC\nReason:      no such mailbox\n");
        // a Sieve script that does not compile
        Files.createDirectories(home.sieve());
        Files.writeString(home.sieve().resolve("bob.sieve"), "require \"fileinto\";\nfilein \"Junk\";\n");
        // forwarding without a copy; a full mailbox
        Files.writeString(home.mailboxesFile(), """
                mailboxes:
                  alice:
                    forwardTo: [alice@elsewhere.example]
                  bob:
                    quota: {size: 1 KB}
                  carol: {}
                """);
        Path bobNew = Files.createDirectories(home.mailboxes().resolve("bob/Maildir/new"));
        Files.write(bobNew.resolve("1.x,S=2000"), new byte[2000]);
        // a mail file dated an hour ahead: the clock went back
        Path carolCur = Files.createDirectories(home.mailboxes().resolve("carol/Maildir/cur"));
        Files.setLastModifiedTime(Files.writeString(carolCur.resolve("2.x"), "x"), FileTime.from(Instant.now().plus(Duration.ofHours(1))));
        // a binding the server disabled after failures
        new BindingStore(home.bindingsFile()).update(reg -> reg.with(new Binding(Binding.newId(), "flaky", "OnSubmission",
                "com.example.Flaky", false, null, 10, Map.of(), new Binding.Failure(Instant.now(), 5, "boom"))));
        // the server saw a pickup file change while it read it (once today, once long ago)
        java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(java.time.ZoneId.systemDefault());
        Files.createDirectories(home.logs());
        Files.writeString(home.logs().resolve("mailroot.log"),
                stamp.format(Instant.now().minus(Duration.ofDays(3))) + " WARN  [pickup-1] PickupDirectory: MR8017 pickup file old.eml changed\n"
                + stamp.format(Instant.now()) + " WARN  [pickup-1] PickupDirectory: MR8017 pickup file new.eml changed while it was read\n");
        // another program holding a mail file open
        Process holder = new ProcessBuilder("sleep", "600").redirectInput(home.badmail().resolve("0ABC.bad").toFile()).start();
        try {
            DoctorReport r = stopped(Duration.ofHours(24));

            assertThat(check(r, "MR8002").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8002").detail()).contains("CN=old.test expired");
            assertThat(check(r, "MR8003").line()).startsWith("fail  folders        MR8003  quarantine (")
                    .contains("is not a folder");
            assertThat(check(r, "MR8004").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8004").detail()).contains("old.eml for 20m");
            assertThat(check(r, "MR8006").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8006").detail()).contains("badmail: 1 (e.g. 0ABC.bad: no such mailbox)");
            assertThat(check(r, "MR8008").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8008").detail()).contains("'flaky'", "disabled by server after 5 failures", "boom");
            assertThat(check(r, "MR8010").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8010").detail()).contains("bob (2000 bytes, 1 messages");
            assertThat(check(r, "MR8011").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8011").detail()).contains("alice -> alice@elsewhere.example");
            assertThat(check(r, "MR8012").line()).contains("fail  sieve          MR8012  bob.sieve: line 2: unknown command 'filein'");
            assertThat(check(r, "MR8013").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8013").detail()).contains("submission: anonymous: true on port 587");
            assertThat(check(r, "MR8014").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8014").detail()).contains("0.0.0.0/0: every client may relay");
            assertThat(check(r, "MR8015").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8015").detail()).contains("2.x is dated", "in the future");
            assertThat(check(r, "MR8016").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8016").detail()).contains("process " + holder.pid() + " (sleep) holds badmail/0ABC.bad open");
            assertThat(check(r, "MR8016").detail()).contains("the server logged MR8017 1 time(s) since",
                    "the last: pickup file new.eml changed while it was read");
            assertThat(r.checks()).allSatisfy(c -> assertThat(c.status() == Check.Status.OK || c.status() == Check.Status.SKIP
                    || !c.remedy().isEmpty()).as(c.line()).isTrue());
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void liveChecksSeeAnExpiringCertificateARelayingListenerAndASinkNoPluginProvides() throws Exception {
        Path conf = Files.createDirectories(root.resolve("conf"));
        run(conf, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "3", "-subj", "/CN=soon.test");
        new BindingStore(root.resolve("conf/bindings.yaml")).update(reg -> reg.with(new Binding(Binding.newId(), "gone",
                "OnSubmission", "com.example.NotThere", true, null, 10, Map.of())));
        try (TestServer server = TestServer.startWithPlugins(root, """
                plugins: {bundled: false}
                relay: {trustedNetworks: [127.0.0.0/8]}
                tls: {cert: cert.pem, key: key.pem}
                """)) {
            DoctorReport r = server.server().doctor().runNow();
            assertThat(check(r, "MR8002").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8002").detail()).contains("CN=soon.test expires", "day(s)");
            assertThat(check(r, "MR8008").status()).isEqualTo(Check.Status.FAIL);
            assertThat(check(r, "MR8008").detail()).contains("'gone'", "sink class not provided by any plugin");
            assertThat(check(r, "MR8014").status()).isEqualTo(Check.Status.WARN);
            assertThat(check(r, "MR8014").detail()).contains("answered 250", "which is in relay.trustedNetworks");
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }

}
