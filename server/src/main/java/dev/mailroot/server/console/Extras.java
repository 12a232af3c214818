package dev.mailroot.server.console;

import dev.mailroot.server.doctor.Check;
import dev.mailroot.server.doctor.DoctorReport;
import dev.mailroot.server.metrics.History;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The parts of pages that come from the metrics history and the doctor. */
final class Extras {
    private Extras() {
    }

    private static final int W = 1000;
    private static final int H = 220;
    private static final int LEFT = 48;
    private static final int BOTTOM = 24;

    /**
     * The last hour's mail flow as an inline SVG drawn here (no script, so the page's CSP forbids
     * all scripts): messages received, delivered (locally and remotely) and failed per minute.
     */
    static String chart(ConsoleServices s, Instant now) {
        if (s.history() == null) {
            return "";
        }
        List<History.Sample> samples = s.history().lastHour();
        StringBuilder b = new StringBuilder("<h2>Mail flow, last hour</h2>");
        if (samples.size() < 2) {
            return b.append("<p class=\"hint\" id=\"chart-empty\">The chart fills in minute by minute once the server has run "
                    + "for two minutes.</p>").toString();
        }
        long max = 1;
        long received = 0;
        long delivered = 0;
        long failed = 0;
        for (History.Sample x : samples) {
            max = Math.max(max, Math.max(x.received(), Math.max(x.delivered() + x.sent(), x.failed())));
            received += x.received();
            delivered += x.delivered() + x.sent();
            failed += x.failed();
        }
        long top = niceCeiling(max);
        b.append("<svg class=\"chart\" id=\"chart\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"messages per minute, last hour\">");
        for (int i = 0; i <= 4; i++) {
            int y = y(top * i / 4, top);
            b.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(W).append("\" y1=\"").append(y)
                    .append("\" y2=\"").append(y).append("\"/><text x=\"").append(LEFT - 6).append("\" y=\"").append(y + 4)
                    .append("\" text-anchor=\"end\">").append(top * i / 4).append("</text>");
        }
        b.append("<text x=\"").append(LEFT).append("\" y=\"").append(H - 6).append("\">").append(Html.esc(Html.time(samples.get(0).minute())))
                .append("</text><text x=\"").append(W).append("\" y=\"").append(H - 6).append("\" text-anchor=\"end\">")
                .append(Html.esc(Html.time(samples.get(samples.size() - 1).minute()))).append("</text>");
        line(b, samples, "received", History.Sample::received, top);
        line(b, samples, "delivered", x -> x.delivered() + x.sent(), top);
        line(b, samples, "failed", History.Sample::failed, top);
        b.append("</svg><p class=\"legend\"><span class=\"received\">&#9632; received ").append(received)
                .append("</span><span class=\"delivered\">&#9632; delivered ").append(delivered)
                .append("</span><span class=\"failed\">&#9632; failed ").append(failed)
                .append("</span><span class=\"hint\">per minute; kept in memory, since the last start</span></p>");
        return b.toString();
    }

    private static void line(StringBuilder b, List<History.Sample> samples, String cls,
                             java.util.function.ToLongFunction<History.Sample> value, long top) {
        b.append("<polyline class=\"").append(cls).append("\" points=\"");
        int n = samples.size();
        for (int i = 0; i < n; i++) {
            int x = LEFT + (int) ((long) (W - LEFT) * i / Math.max(1, n - 1));
            b.append(x).append(',').append(y(value.applyAsLong(samples.get(i)), top)).append(' ');
        }
        b.append("\"/>");
    }

    private static int y(long v, long top) {
        return (int) (H - BOTTOM - (H - BOTTOM - 10) * v / top);
    }

    /** Four grid steps of 1, 2 or 5 times a power of ten: the smallest such top at least {@code v}. */
    static long niceCeiling(long v) {
        long p = 1;
        while (true) {
            for (long m : new long[]{1, 2, 5}) {
                if (4 * m * p >= v) {
                    return 4 * m * p;
                }
            }
            p *= 10;
        }
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

    /** Calls, failures, time-outs and latency of a binding since the start (the metrics' numbers). */
    static String bindingFigures(ConsoleServices s, String binding) {
        if (s.history() == null) {
            return "";
        }
        History.BindingFigures f = s.history().bindings().get(binding);
        if (f == null || f.calls() == 0) {
            return "<span class=\"hint\">no calls yet</span>";
        }
        return "<span class=\"figures\">" + f.calls() + " calls" + (f.failures() > 0 ? ", " + Html.badge("fail").replace(">fail<", ">" + f.failures()
                + " failed<") : "") + (f.timeouts() > 0 ? ", " + f.timeouts() + " timed out" : "") + "<br><span class=\"hint\">mean "
                + String.format(java.util.Locale.ROOT, "%.1f", f.meanMillis()) + " ms, p95 "
                + String.format(java.util.Locale.ROOT, "%.0f", f.p95Millis()) + " ms</span></span>";
    }
}
