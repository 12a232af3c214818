package dev.mailroot.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroot.server.admin.MailboxCommand;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.DirectoryFile;
import dev.mailroot.server.directory.Mailbox;
import dev.mailroot.server.directory.Sizes;
import dev.mailroot.server.sieve.SieveRules;
import dev.mailroot.server.sieve.SieveScripts;
import dev.mailroot.server.sieve.SieveSyntaxError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /ui/mailboxes}: every mailbox's usage against its quota, forwarding and rules (what
 * {@code mailbox list|show} print), and per mailbox the forwarding form and the Sieve editor, which
 * saves a script only if it compiles and otherwise shows the line of the error.
 */
final class MailboxesView implements Console.View {
    private final ConsoleServices s;
    private final SieveScripts sieve = new SieveScripts();

    MailboxesView(ConsoleServices s) {
        this.s = s;
    }

    private Directory directory() {
        return s.directory().get().orElseGet(() -> Directory.empty(s.config().domains()));
    }

    private DirectoryFile file() {
        return new DirectoryFile(s.home().mailboxesFile(), s.config().domains());
    }

    /**
     * The directory file; without one (and {@code mailboxes.autoCreate}), every folder under
     * {@code mailroot/mailboxes/} is a mailbox, as delivery sees it.
     */
    private Directory current() throws Exception {
        Optional<Directory> d = file().read();
        if (d.isPresent()) {
            return d.get();
        }
        Directory out = directory();
        if (s.config().mailboxes().autoCreate() && Files.isDirectory(s.home().mailboxes())) {
            try (java.util.stream.Stream<Path> folders = Files.list(s.home().mailboxes())) {
                for (Path f : folders.filter(Files::isDirectory).sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (dev.mailroot.server.address.LocalRecipients.isSafeMailboxName(name)) {
                        out = DirectoryFile.with(out, Mailbox.named(name));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Console.Answer get(Console.Request r) throws Exception {
        Directory dir = current();
        if (r.path().size() >= 2) {
            Optional<Mailbox> m = dir.mailbox(r.segment(1));
            return m.isEmpty() ? new Console.Page("No such mailbox", "mailboxes", "<p>No mailbox '" + Html.esc(r.segment(1))
                    + "' in <code>" + Html.esc(s.home().mailboxesFile()) + "</code>.</p>", 404) : one(r, dir, m.get());
        }
        List<List<String>> rows = new ArrayList<>();
        for (Mailbox m : dir.mailboxes().values()) {
            JsonNode d = MailboxCommand.Show.describe(s.home(), dir, m);
            rows.add(List.of("<a href=\"/ui/mailboxes/" + Html.esc(m.name()) + "\" class=\"name\">" + Html.esc(m.name()) + "</a>"
                            + (m.enabled() ? "" : " " + Html.badge("disabled")),
                    Html.esc(String.join(", ", texts(d.path("addresses")))), usage(d), forwarding(m), Html.esc(d.path("rules").asText())));
        }
        String body = "<p class=\"hint\">From <code>" + Html.esc(s.home().mailboxesFile()) + "</code>; add and remove mailboxes with "
                + "<code>bin/mailroot mailbox add|remove</code>.</p>"
                + Html.table("mailboxes", List.of("mailbox", "addresses", "usage", "forwarding", "rules"), rows,
                "No mailboxes yet: mail to local domains is refused until conf/mailboxes.yaml names one (or autoCreate is on).");
        return new Console.Page("Mailboxes", "mailboxes", body);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String usage(JsonNode d) {
        long used = d.path("usedBytes").asLong();
        long limit = d.path("limitBytes").asLong(0);
        String text = Html.esc(Sizes.format(used) + ", " + d.path("usedMessages").asLong() + " msg");
        if (limit <= 0) {
            return text + " <span class=\"hint\">/ no limit</span>";
        }
        long pct = Math.min(100, used * 100 / limit);
        return "<meter min=\"0\" max=\"100\" low=\"80\" high=\"99\" optimum=\"0\" value=\"" + pct + "\" title=\"" + pct + " %\"></meter> "
                + text + " / " + Html.esc(Sizes.format(limit)) + " (" + pct + " %)";
    }

    private static String forwarding(Mailbox m) {
        if (!m.forwards()) {
            return "none";
        }
        return "to " + Html.esc(String.join(", ", m.forwardTo())) + (m.keepCopy() ? ", keeping a copy"
                : " " + Html.badge("warn") + " without a copy here");
    }

    private Console.Answer one(Console.Request r, Directory dir, Mailbox m) throws Exception {
        JsonNode d = MailboxCommand.Show.describe(s.home(), dir, m);
        String csrf = r.session().csrf;
        String action = "/ui/mailboxes/" + Html.esc(m.name());
        StringBuilder b = new StringBuilder();
        List<List<String>> facts = new ArrayList<>();
        facts.add(List.of("addresses", Html.esc(String.join(", ", texts(d.path("addresses"))))));
        facts.add(List.of("groups", Html.esc(String.join(", ", texts(d.path("groups"))))));
        facts.add(List.of("folder", "<code>" + Html.esc(d.path("folder").asText()) + "</code>"));
        facts.add(List.of("usage", usage(d)));
        facts.add(List.of("quota", Html.esc(d.path("quota").asText())));
        facts.add(List.of("forwarding", forwarding(m)));
        facts.add(List.of("rules", Html.esc(d.path("rules").asText())));
        facts.add(List.of("last delivery", d.path("lastDelivery").isTextual()
                ? Html.time(java.time.Instant.parse(d.path("lastDelivery").asText())) : "none recorded"));
        facts.add(List.of("last failure", Html.esc(d.path("lastFailure").asText("none"))));
        b.append(Html.table("mailbox", List.of("", ""), facts, ""));
        b.append("<h2>Newest messages in the inbox</h2>");
        List<List<String>> mail = new ArrayList<>();
        for (MaildirListing.Item i : MaildirListing.newest(java.nio.file.Path.of(d.path("folder").asText()), 20)) {
            mail.add(List.of(Html.time(i.time()) + (i.unread() ? " " + Html.badge("ok").replace(">ok<", ">new<") : ""),
                    Html.esc(i.from()), "<span class=\"subject\">" + Html.esc(i.subject()) + "</span>",
                    "<code>" + Html.esc(i.file().getParent().getFileName() + "/" + i.file().getFileName()) + "</code>"));
        }
        b.append(Html.table("inbox", List.of("arrived", "from", "subject", "file"), mail, "The inbox is empty."));
        boolean inDirectory = file().read().flatMap(x -> x.mailbox(m.name())).isPresent();
        if (!inDirectory) {
            b.append("<h2>Forwarding</h2><p class=\"hint\" id=\"auto-mailbox\">This mailbox is a folder made on its first delivery "
                    + "(<code>mailboxes.autoCreate</code>, no <code>conf/mailboxes.yaml</code>): add it to the directory with "
                    + "<code>bin/mailroot mailbox add ").append(Html.esc(m.name())).append("</code> to give it forwarding, aliases or a quota. "
                    + "Adding the first mailbox makes the directory the list of who receives mail.</p>");
        } else {
            b.append("<h2>Forwarding</h2><form method=\"post\" action=\"").append(action).append("\" class=\"stack\">")
                    .append(Html.csrfField(csrf)).append("<input type=\"hidden\" name=\"action\" value=\"forwarding\">")
                    .append("<label>forward to (addresses or mailboxes, comma-separated; empty: none)<input type=\"text\" name=\"forwardTo\" "
                            + "id=\"forward-to\" size=\"50\" value=\"").append(Html.esc(String.join(", ", m.forwardTo()))).append("\"></label>")
                    .append("<label><span>keep a copy here</span><input type=\"checkbox\" name=\"keepCopy\" value=\"true\" id=\"keep-copy\"")
                    .append(m.keepCopy() || !m.forwards() ? " checked" : "").append("></label><button type=\"submit\">Save forwarding</button></form>");
        }
        Path script = SieveRules.scriptOf(s.home().sieve(), m.name());
        // the text of a refused save comes back in the page; a link (a GET) never fills the editor
        String text = r.form().get("script") != null ? r.form().get("script").replace("\r\n", "\n")
                : Files.isRegularFile(script) ? Files.readString(script, StandardCharsets.UTF_8).replace("\r\n", "\n") : "";
        b.append("<h2>Sieve rules</h2><p class=\"hint\"><code>").append(Html.esc(script)).append("</code>; supported extensions: ")
                .append(Html.esc(String.join(", ", sieve.extensions()))).append(". A script is saved only if it compiles.</p>")
                .append("<form method=\"post\" action=\"").append(action).append("\">").append(Html.csrfField(csrf))
                .append("<textarea name=\"script\" id=\"sieve-script\" spellcheck=\"false\">").append(Html.text(text)).append("</textarea>")
                .append("<p><button type=\"submit\" name=\"action\" value=\"sieve-check\" id=\"sieve-check\">Check</button> ")
                .append("<button type=\"submit\" name=\"action\" value=\"sieve-save\" class=\"primary\" id=\"sieve-save\">Save</button> ")
                .append("<button type=\"submit\" name=\"action\" value=\"sieve-remove\" class=\"danger\">Remove the script</button></p></form>");
        return new Console.Page("Mailbox " + m.name(), "mailboxes", b.toString());
    }

    @Override
    public Console.Answer post(Console.Request r) throws Exception {
        String name = r.segment(1);
        String back = "/ui/mailboxes/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
        DirectoryFile f = file();
        Optional<Mailbox> m = current().mailbox(name);
        if (m.isEmpty()) {
            return new Console.Redirect("/ui/mailboxes", "no mailbox '" + name + "'", true);
        }
        boolean inDirectory = f.read().flatMap(d -> d.mailbox(name)).isPresent();
        String action = r.param("action");
        Path script = SieveRules.scriptOf(s.home().sieve(), m.get().name());
        switch (action == null ? "" : action) {
            case "forwarding" -> {
                if (!inDirectory) {
                    return new Console.Redirect(back, "mailbox " + name + " is only a folder (mailboxes.autoCreate): add it to the "
                            + "directory first (bin/mailroot mailbox add " + name + "), then set its forwarding", true);
                }
                List<String> to = Console.split(r.param("forwardTo"));
                boolean copy = to.isEmpty() || "true".equals(r.param("keepCopy"));
                try {
                    f.update(d -> DirectoryFile.with(d, d.mailbox(name).orElseThrow().withForwarding(to, copy)));
                } catch (DirectoryFile.DirectoryException e) {
                    return new Console.Redirect(back, "not saved: " + String.join("; ", e.problems()), true);
                }
                return new Console.Redirect(back, to.isEmpty() ? "mailbox " + name + ": forwarding off"
                        : "mailbox " + name + ": forwarding to " + String.join(", ", to) + (copy ? " with a copy" : " WITHOUT a copy here"), false);
            }
            case "sieve-check", "sieve-save" -> {
                // a browser sends a textarea's lines with CRLF; scripts on disk are text files with LF
                String text = r.param("script") == null ? "" : r.param("script").replace("\r\n", "\n");
                try {
                    if (action.equals("sieve-check")) {
                        sieve.compile(text);
                        return new Console.Redirect(back, "the script compiles (not saved yet)", false);
                    }
                    sieve.install(script, text);
                    return new Console.Redirect(back, "saved the Sieve script of mailbox " + name + " (it compiles)", false);
                } catch (SieveSyntaxError e) {
                    return errorPage(r, name, "The script does not compile: " + e.getMessage()
                            + (action.equals("sieve-save") ? " — it was not saved." : ""));
                }
            }
            case "sieve-remove" -> {
                Files.deleteIfExists(script);
                return new Console.Redirect(back, "removed the Sieve script of mailbox " + name, false);
            }
            default -> {
                return new Console.Text(400, "400: unknown action\n");
            }
        }
    }

    /** The mailbox page again with the text as submitted (so an error does not lose the edit) and the error on top. */
    private Console.Answer errorPage(Console.Request r, String name, String error) throws Exception {
        Directory dir = current();
        Console.Page p = (Console.Page) one(r, dir, dir.mailbox(name).orElseThrow());
        return new Console.Page(p.title(), p.nav(), "<p class=\"flash error\" id=\"flash\">" + Html.esc(error) + "</p>" + p.body(), 422);
    }
}
