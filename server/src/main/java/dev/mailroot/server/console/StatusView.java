package dev.mailroot.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.outbound.QueueView;
import dev.mailroot.server.spool.SpoolEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@code /ui/}: is the server well, and is mail flowing — the first page an administrator sees. */
final class StatusView implements Console.View {
    private final ConsoleServices s;

    StatusView(ConsoleServices s) {
        this.s = s;
    }

    @Override
    public Console.Answer get(Console.Request r) {
        Instant now = s.clock().instant();
        StringBuilder b = new StringBuilder();
        b.append(cards(now));
        b.append(Extras.chart(s, now));
        b.append(Extras.doctorSummary(s, r.session().csrf));
        b.append("<h2>Listeners</h2>").append(listeners());
        b.append("<h2>Last warnings and errors</h2>");
        List<List<String>> rows = new ArrayList<>();
        for (RecentProblems.Problem p : s.problems().newestFirst(20)) {
            rows.add(List.of(Html.time(p.time()), Html.badge(p.level().equals("WARN") ? "warn" : "fail"),
                    "<code>" + Html.esc(p.message()) + "</code>"));
        }
        b.append(Html.table("problems", List.of("time", "level", "event"), rows, "Nothing logged at WARN or above since the start."));
        return new Console.Page("Status", "", b.toString());
    }

    @Override
    public Console.Answer post(Console.Request r) {
        if (!"doctor".equals(r.param("action")) || s.doctor() == null) {
            return new Console.Text(400, "400: unknown action\n");
        }
        dev.mailroot.server.doctor.DoctorReport report = s.doctor().runNow();
        return new Console.Redirect("/ui/", report.summary(), report.failed());
    }

    private String cards(Instant now) {
        int local = 0;
        int queued = 0;
        int deferred = 0;
        int held = 0;
        Instant oldest = null;
        for (SpoolEntry e : s.spool().entries()) {
            JsonNode n = QueueView.json(e, now);
            for (JsonNode rc : n.path("recipients")) {
                switch (rc.path("state").asText()) {
                    case "local" -> local++;
                    case "deferred" -> deferred++;
                    case "held" -> held++;
                    default -> queued++;
                }
            }
            Instant a = e.envelope().arrivalTime();
            oldest = oldest == null || a.isBefore(oldest) ? a : oldest;
        }
        StringBuilder b = new StringBuilder("<div class=\"cards\" id=\"cards\">");
        card(b, "spool", String.valueOf(s.spool().entries().size()), "messages in the spool", "/ui/folders/queue");
        card(b, "local", String.valueOf(local), "recipients waiting for sinks or local delivery", "/ui/folders/queue");
        card(b, "queued", String.valueOf(queued), "remote recipients queued", "/ui/folders/queue");
        card(b, "deferred", String.valueOf(deferred), "remote recipients deferred", "/ui/folders/queue");
        card(b, "held", String.valueOf(held), "remote recipients held", "/ui/folders/queue");
        card(b, "oldest", Html.age(oldest, now), "oldest message in the spool", "/ui/folders/queue");
        card(b, "pickup", String.valueOf(count(s.home().pickup(), ".eml")), "files waiting in pickup", null);
        for (String f : dev.mailroot.server.folders.Folders.NAMES) {
            card(b, f, folderCount(f), f.equals("badmail") ? "in badmail" : f.equals("poison") ? "poison messages" : "quarantined",
                    "/ui/folders/" + f);
        }
        return b.append("</div>").toString();
    }

    private static void card(StringBuilder b, String id, String n, String label, String link) {
        b.append("<div class=\"card\" id=\"card-").append(id).append("\">");
        String inner = "<div class=\"n\">" + Html.esc(n) + "</div><div class=\"l\">" + Html.esc(label) + "</div>";
        b.append(link == null ? inner : "<a href=\"" + link + "\">" + inner + "</a>").append("</div>");
    }

    private String folderCount(String folder) {
        try {
            return String.valueOf(s.folders().count(folder));
        } catch (IOException e) {
            return "?";
        }
    }

    /** Files ending in {@code suffix} directly in {@code dir} (0 if it does not exist). */
    static long count(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private String listeners() {
        List<List<String>> rows = new ArrayList<>();
        List<MailrootConfig.Listener> ls = s.config().effectiveListeners();
        String[] bound = s.health().get().smtp().split(",\\s*");
        for (int i = 0; i < ls.size(); i++) {
            MailrootConfig.Listener l = ls.get(i);
            rows.add(List.of(Html.esc(l.name()), "<code>" + Html.esc(i < bound.length ? bound[i] : l.bind() + ":" + l.port()) + "</code>",
                    Html.esc(l.tls()), !l.anonymous() ? "authentication required" : l.port() == 587 || l.port() == 465
                            ? Html.badge("warn") + " anonymous mail accepted on a submission port" : "anonymous mail for local domains (an MX)",
                    l.auth() ? "offered" : "off"));
        }
        return Html.table("listeners", List.of("name", "address", "TLS", "access", "AUTH"), rows, "No SMTP listener.");
    }
}
