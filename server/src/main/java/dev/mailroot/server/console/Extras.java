package dev.mailroot.server.console;

import dev.mailroot.server.doctor.Check;
import dev.mailroot.server.doctor.DoctorReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The parts of pages that come from the metrics history and the doctor. */
final class Extras {
    private Extras() {
    }

    static String chart(ConsoleServices s, Instant now) {
        return "";
    }

    /** The latest doctor report (the server runs one every doctor.intervalMinutes), its problems first, and the button to run it now. */
    static String doctorSummary(ConsoleServices s, String csrf) {
        if (s.doctor() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Doctor</h2>");
        java.util.Optional<DoctorReport> latest = s.doctor().latest();
        b.append("<p>").append(Html.button("/ui/", csrf, "Run the doctor now", "", "action", "doctor")).append(' ');
        if (latest.isEmpty()) {
            b.append("<span class=\"hint\">No run yet: the server runs one a minute after it starts, then every "
                    + "<code>doctor.intervalMinutes</code>.</span></p>");
            return b.toString();
        }
        DoctorReport r = latest.get();
        b.append("<span id=\"doctor-summary\">").append(Html.esc(r.summary())).append("</span> <span class=\"hint\">at ")
                .append(Html.time(r.at())).append("; the same checks as <code>bin/mailroot doctor</code></span></p>");
        List<List<String>> rows = new ArrayList<>();
        List<Check> ordered = new ArrayList<>(r.checks());
        ordered.sort(java.util.Comparator.comparing((Check c) -> c.status() == Check.Status.OK || c.status() == Check.Status.SKIP));
        for (Check c : ordered) {
            rows.add(List.of(Html.badge(c.status().word()), Html.esc(c.name()), "<code>" + Html.esc(c.eventId()) + "</code>",
                    Html.esc(c.detail()) + (c.remedy() == null || c.remedy().isBlank() || c.status() == Check.Status.OK ? ""
                            : "<br><span class=\"hint\">" + Html.esc(c.remedy()) + "</span>")));
        }
        return b.append(Html.table("doctor", List.of("", "check", "event", "what it found"), rows, "")).toString();
    }

    static String bindingFigures(ConsoleServices s, String binding) {
        return "";
    }
}
