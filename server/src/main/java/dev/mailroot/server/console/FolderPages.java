package dev.mailroot.server.console;

import dev.mailroot.server.folders.Folders;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The badmail, poison and quarantine pages: each entry with its reason, its headers on its own page,
 * and Resubmit (back through pickup, as the {@code .bdr} tells an operator to do by hand) and
 * Delete (never vanishing: into badmail, or from badmail into {@code badmail/deleted/}, the reason
 * added to its {@code .bdr}) — what {@code bin/mailroot folder} does.
 */
final class FolderPages {
    private static final int SHOWN = 200;

    private FolderPages() {
    }

    private static String what(String folder) {
        return switch (folder) {
            case "badmail" -> "Messages (or some of their recipients) that could not be delivered, each with its reason. "
                    + "Fix the cause, then Resubmit. Delete moves an entry to badmail/deleted/ with your reason.";
            case "poison" -> "Messages set aside because a sink crashed or hung while processing them (the suspected "
                    + "bindings were disabled). Re-enable or fix the sink, then Resubmit. Delete moves an entry into badmail.";
            default -> "Messages an OnEndOfData sink kept but did not deliver. Resubmit delivers one (it passes the sinks "
                    + "again); Delete moves it into badmail.";
        };
    }

    static Console.Answer get(ConsoleServices s, Console.Request r, String folder, String subnav) throws Exception {
        Folders folders = s.folders();
        String csrf = r.session().csrf;
        if (r.path().size() >= 3) {
            String id = r.segment(2);
            Optional<Folders.Item> item;
            try {
                item = folders.find(folder, id);
            } catch (IllegalArgumentException e) {
                item = Optional.empty();
            }
            if (item.isEmpty()) {
                return new Console.Page("Not in " + folder, "folders", subnav + "<p>No entry <code>" + Html.esc(id) + "</code> in "
                        + Html.esc(folder) + ": it may have been resubmitted or deleted. <a href=\"/ui/search?q="
                        + Html.esc(URLEncoder.encode(id, StandardCharsets.UTF_8)) + "\">Search for it</a>.</p>", 404);
            }
            return new Console.Page(folder + " entry " + id, "folders", subnav + actions(folder, id, csrf, true)
                    + "<pre id=\"entry\">" + Html.esc(folders.show(folder, id)) + "</pre>");
        }
        Instant now = s.clock().instant();
        List<List<String>> rows = new ArrayList<>();
        for (Folders.Item i : folders.list(folder, SHOWN)) {
            rows.add(List.of("<a href=\"/ui/folders/" + folder + "/" + Html.esc(URLEncoder.encode(i.id(), StandardCharsets.UTF_8))
                            + "\"><code>" + Html.esc(i.id()) + "</code></a>", Html.time(i.time()) + "<br><span class=\"hint\">"
                            + Html.age(i.time(), now) + " ago</span>",
                    Html.esc(i.from()), Html.esc(String.join(", ", i.to())), "<span class=\"subject\">" + Html.esc(i.subject()) + "</span>",
                    "<span class=\"reason\">" + Html.esc(i.reason()) + "</span>", actions(folder, i.id(), csrf, false)));
        }
        int total = folders.count(folder);
        Path dir = folders.dir(folder);
        String body = subnav + "<p class=\"hint\">" + Html.esc(what(folder)) + " Folder: <code>" + Html.esc(dir) + "</code>; "
                + total + " entr" + (total == 1 ? "y" : "ies") + (total > SHOWN ? ", the newest " + SHOWN + " shown" : "") + ".</p>"
                + Html.table(folder, List.of("id", "time", "sender", "recipients", "subject", "reason", ""), rows,
                "Nothing in " + folder + ".");
        return new Console.Page(folder.substring(0, 1).toUpperCase() + folder.substring(1), "folders", body);
    }

    private static String actions(String folder, String id, String csrf, boolean withReason) {
        String action = "/ui/folders/" + folder;
        String delete = "<form class=\"inline\" method=\"post\" action=\"" + action + "\">" + Html.csrfField(csrf)
                + "<input type=\"hidden\" name=\"action\" value=\"delete\"><input type=\"hidden\" name=\"id\" value=\"" + Html.esc(id) + "\">"
                + (withReason ? "<input type=\"text\" name=\"reason\" placeholder=\"reason (kept with the entry)\" size=\"30\"> " : "")
                + "<button type=\"submit\" class=\"danger\">Delete" + (folder.equals("badmail") ? "" : " (to badmail)") + "</button></form>";
        return Html.button(action, csrf, "Resubmit", "primary", "action", "resubmit", "id", id) + delete;
    }

    static Console.Answer post(ConsoleServices s, Console.Request r, String folder) throws Exception {
        String id = r.param("id");
        String back = "/ui/folders/" + folder;
        try {
            switch (r.param("action") == null ? "" : r.param("action")) {
                case "resubmit" -> {
                    Path p = s.folders().resubmit(folder, id == null ? "" : id);
                    return new Console.Redirect(back, folder + " entry " + id + " resubmitted as pickup/" + p.getFileName()
                            + ": it goes through the sinks and delivery again (find it with Message search)", false);
                }
                case "delete" -> {
                    String reason = r.param("reason");
                    String why = "deleted in the web console" + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
                    Path p = s.folders().delete(folder, id == null ? "" : id, why);
                    return new Console.Redirect(back, folder + " entry " + id + " moved to " + s.home().root().relativize(p)
                            + " (reason: " + why + ")", false);
                }
                default -> {
                    return new Console.Text(400, "400: unknown action\n");
                }
            }
        } catch (IllegalArgumentException e) {
            return new Console.Redirect(back, e.getMessage(), true);
        } catch (NoSuchFileException e) {
            return new Console.Redirect(back, e.getReason() != null ? e.getReason() : "no entry " + id + " in " + folder, true);
        } catch (java.io.IOException e) {
            // the move was refused (not a regular file, no space, permissions): nothing moved, MR8042 logged
            return new Console.Redirect(back, folder + " entry " + id + " was not moved: " + e.getMessage(), true);
        }
    }
}
