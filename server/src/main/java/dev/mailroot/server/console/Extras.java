package dev.mailroot.server.console;

import java.time.Instant;

/** The parts of pages that come from the metrics history and the doctor. */
final class Extras {
    private Extras() {
    }

    static String chart(ConsoleServices s, Instant now) {
        return "";
    }

    static String doctorSummary(ConsoleServices s, String csrf) {
        return "";
    }

    static String bindingFigures(ConsoleServices s, String binding) {
        return "";
    }
}
