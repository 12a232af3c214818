package dev.mailroot.server.tracking;

import dev.mailroot.bindings.AdminClient;
import dev.mailroot.server.ChildServer;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.dispatch.TestSinks;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One message in each place a message can be, put there by the real server where it can (SMTP
 * intake, a sink that sends to badmail, the outbound queue, Maildir delivery) and by the writers the
 * server uses elsewhere (poison, quarantine) or as the POP3 connector leaves them; each found by
 * every key, in its place and nowhere else.
 */
class MessageSearchTest {

    @TempDir
    Path root;

    /** A place, the unique words of its message, and where the search must say it is. */
    private record Placed(String place, String key) {
    }

    private static String send(TestServer server, String from, String to, String key) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO sender.example");
            String reply = smtp.sendMail(from, List.of(to), "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: about "
                    + key + "\r\nMessage-ID: <" + key + "@test>\r\n\r\nbody\r\n");
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private static void file(Path file, String from, String to, String key) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x-sender: " + from + "\r\nx-receiver: " + to + "\r\nFrom: <" + from + ">\r\nTo: <" + to
                + ">\r\nSubject: about " + key + "\r\nMessage-ID: <" + key + "@test>\r\n\r\nbody\r\n");
    }

    @Test
    void oneMessageInEachPlaceIsFoundByEachKeyInItsPlaceOnly() throws Exception {
        Path home = root.resolve("home");
        int closed = ChildServer.freePort();
        var badmailer = TestSinks.bound("badmailer", 10, (s, ctx) -> {
            if (s.envelope().recipients().contains("broken@localhost")) {
                s.setFate(Fate.badmail("the test's sink refuses broken@localhost"));
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        Map<String, Placed> ids = new LinkedHashMap<>();
        try (TestServer s = TestServer.start(home, "pickup: {settleMillis: 3600000}\noutbound: {routes: {remote.test: \"127.0.0.1:"
                + closed + "\"}, retryFirst: 1h, retryMax: 1h}\n", TestSinks.chain(badmailer))) {
            ids.put(send(s, "ann@example.org", "alice@localhost", "kmailbox"), new Placed("mailbox alice", "kmailbox"));
            ids.put(send(s, "bea@example.org", "broken@localhost", "kbadmail"), new Placed("badmail", "kbadmail"));
            // remote mail comes from a trusted source: pickup (files changed an hour ago are settled)
            Path queued = home.resolve("mailroot/pickup/queued.eml");
            file(queued, "cid@example.org", "carol@remote.test", "kqueue");
            Files.setLastModifiedTime(queued, FileTime.from(Instant.now().minusSeconds(7200)));
            await().atMost(Duration.ofSeconds(20)).until(() -> s.server().outbound().entries().size() == 1);
            ids.put(s.server().outbound().entries().iterator().next().id(), new Placed("queue", "kqueue"));
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("alice").size() == 1 && s.badmail().size() == 2
                    && s.server().outbound().entries().size() == 1
                    && s.server().outbound().entries().iterator().next().envelope().outbound().recipients().get(0).attempts() == 1);

            Path m = home.resolve("mailroot");
            file(m.resolve("pickup/waiting.eml"), "dan@example.org", "dora@localhost", "kpickup");
            ids.put("waiting.eml", new Placed("pickup", "kpickup"));
            file(m.resolve("pickup/.claimed/abc123/0HCLAIMED1.taken.eml"), "eve@example.org", "erin@localhost", "kclaimed");
            ids.put("0HCLAIMED1", new Placed("pickup/.claimed", "kclaimed"));
            file(m.resolve("pop3/incoming/acct1/20261205-1.eml"), "fay@example.org", "fred@localhost", "kincoming");
            ids.put("20261205-1.eml", new Placed("pop3/incoming", "kincoming"));
            file(m.resolve("pop3/failed/20261205-2.eml"), "gus@example.org", "gina@localhost", "kfailed");
            Files.writeString(m.resolve("pop3/failed/20261205-2.eml.reason"), "not a message: no header fields\n");
            ids.put("20261205-2.eml", new Placed("pop3/failed", "kfailed"));
            SpoolEnvelope env = new SpoolEnvelope("hal@example.org", List.of("hank@localhost"), "h", "127.0.0.1",
                    Instant.now(), Source.SMTP, null);
            new Badmail(s.home().poison(), Clock.systemUTC(), "Mailroot poison report").write("0HPOISON1", env,
                    env.recipients(), content("hal@example.org", "hank@localhost", "kpoison"), "\r\n", "poison message: test", List.of());
            ids.put("0HPOISON1", new Placed("poison", "kpoison"));
            SpoolEnvelope env2 = new SpoolEnvelope("ivy@example.org", List.of("ian@localhost"), "h", "127.0.0.1",
                    Instant.now(), Source.SMTP, null);
            new Badmail(s.home().quarantine(), Clock.systemUTC(), "Mailroot quarantine report").write("0HQUAR1", env2,
                    env2.recipients(), content("ivy@example.org", "ian@localhost", "kquarantine"), "\r\n", "quarantined by test", List.of());
            ids.put("0HQUAR1", new Placed("quarantine", "kquarantine"));

            MessageSearch search = new MessageSearch(s.home(), s.server().spool()::entries);
            for (Map.Entry<String, Placed> e : ids.entrySet()) {
                String id = e.getKey();
                Placed p = e.getValue();
                for (SearchQuery q : List.of(SearchQuery.of(id), SearchQuery.of("<" + p.key() + "@test>"),
                        SearchQuery.of(p.key() + "@test"), new SearchQuery(null, null, null, "ABOUT " + p.key(), null, null),
                        new SearchQuery(null, null, RECIPIENTS.get(p.key()), null, null, null),
                        new SearchQuery(null, SENDERS.get(p.key()), null, null, null, null),
                        new SearchQuery(null, null, null, p.key(), Instant.now().minusSeconds(600), Instant.now().plusSeconds(60)))) {
                    List<MessageSearch.Hit> hits = search.search(q, 10);
                    assertThat(hits).as(p.place() + " by " + q).hasSize(1);
                    MessageSearch.Hit h = hits.get(0);
                    assertThat(h.place()).as(q.toString()).isEqualTo(p.place());
                    assertThat(h.subject()).isEqualTo("about " + p.key());
                    assertThat(h.messageId()).isEqualTo("<" + p.key() + "@test>");
                    assertThat(h.file()).exists();
                }
            }
            // the time range: nothing changed in the future or before the test
            assertThat(search.search(new SearchQuery(null, null, null, "about", Instant.now().plusSeconds(3600), null), 10)).isEmpty();
            assertThat(search.search(new SearchQuery(null, null, null, "about", null, Instant.parse("2020-01-01T00:00:00Z")), 10)).isEmpty();
            // each folder newest first, and a cap that says more were there
            Files.setLastModifiedTime(m.resolve("pickup/waiting.eml"), FileTime.from(Instant.now().minusSeconds(60)));
            file(m.resolve("pickup/newer.eml"), "dan@example.org", "dora@localhost", "knewer");
            MessageSearch.Result two = search.find(new SearchQuery(null, "dan@", null, null, null, null), 1);
            assertThat(two.hits()).extracting(MessageSearch.Hit::id).containsExactly("newer.eml");
            assertThat(two.more()).isTrue();
            // the running server answers GET /trace with the same criteria, for the spool
            AdminClient.Response r = AdminClient.of(home).get("/trace?to=carol%40remote&subject=kqueue");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"event\":\"in-spool\"", "carol@remote.test").doesNotContain("alice");
            assertThat(AdminClient.of(home).get("/trace?since=yesterday").status()).isEqualTo(400);
        }
    }

    private static final Map<String, String> SENDERS = Map.of("kmailbox", "ann@", "kbadmail", "bea@", "kqueue", "cid@",
            "kpickup", "dan@", "kclaimed", "eve@", "kincoming", "fay@", "kfailed", "gus@", "kpoison", "hal@", "kquarantine", "ivy@");
    private static final Map<String, String> RECIPIENTS = Map.of("kmailbox", "alice@localhost", "kbadmail", "broken@", "kqueue", "carol@remote",
            "kpickup", "dora@", "kclaimed", "erin@", "kincoming", "fred@", "kfailed", "gina@", "kpoison", "hank@",
            "kquarantine", "ian@");

    private static MessageContent content(String from, String to, String key) {
        return MessageContent.of(("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: about " + key + "\r\nMessage-ID: <"
                + key + "@test>\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
