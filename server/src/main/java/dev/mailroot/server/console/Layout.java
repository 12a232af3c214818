package dev.mailroot.server.console;

import java.util.List;
import java.util.Optional;

/** The frame around every console page: the navigation, the flash message of the last action, the logout button. */
final class Layout {
    /** Navigation entries: path, key, label. */
    private static final List<String[]> NAV = List.of(
            new String[]{"/ui/", "", "Status"},
            new String[]{"/ui/bindings", "bindings", "Bindings"},
            new String[]{"/ui/pop3", "pop3", "POP3 connector"},
            new String[]{"/ui/folders/queue", "folders", "Queue & folders"},
            new String[]{"/ui/mailboxes", "mailboxes", "Mailboxes"},
            new String[]{"/ui/search", "search", "Message search"});

    private Layout() {
    }

    static String page(Console.Page p, Sessions.Session s) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(p.title()))
                .append(" · Mailroot</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<link rel=\"stylesheet\" href=\"/ui/assets/mailroot.css\"></head><body><header><span class=\"brand\">Mailroot</span>");
        if (s != null) {
            b.append("<nav>");
            for (String[] n : NAV) {
                b.append("<a href=\"").append(n[0]).append("\" id=\"nav-").append(n[1].isEmpty() ? "status" : n[1]).append('"')
                        .append(n[1].equals(p.nav()) ? " class=\"current\"" : "").append('>').append(n[2]).append("</a>");
            }
            b.append("</nav>").append(Html.button("/ui/logout", s.csrf, "Log out", "logout"));
        }
        b.append("</header><main><h1>").append(Html.esc(p.title())).append("</h1>");
        if (s != null) {
            Optional<String[]> flash = s.takeFlash();
            flash.ifPresent(f -> b.append("<p class=\"flash ").append(f[1]).append("\" id=\"flash\">").append(Html.esc(f[0]))
                    .append("</p>"));
        }
        return b.append(p.body()).append("</main></body></html>").toString();
    }
}
