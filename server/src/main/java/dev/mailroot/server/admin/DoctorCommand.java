package dev.mailroot.server.admin;

import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.doctor.Doctor;
import dev.mailroot.server.doctor.DoctorReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code mailroot doctor}: KB 885685's troubleshooting flow as one command. Runs every check of
 * {@link Doctor} against the home, with the server running or stopped, one line per check.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks the server and its home: listeners, TLS certificate, folders, pickup, queue, badmail/poison/"
                + "quarantine, disk, bindings, POP3 accounts, quotas, forwarding, Sieve scripts, anonymous access, open relay, "
                + "clock, other programs in Mailroot's folders. One line per check: ok, warn, fail or skip, its event id, "
                + "what was found and the remedy (docs/doctor.md). Exit 0 if nothing failed, 1 if a check failed, 2 on a usage error.",
        footer = {"", "Examples:", "  bin/mailroot doctor", "  bin/mailroot doctor --since 3d --json | jq 'select(.status != \"ok\")'"})
public final class DoctorCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--json", description = "One JSON object per check: {name, id, status, detail, remedy}.")
    boolean json;
    @Option(names = "--since", paramLabel = "AGE|DATE", defaultValue = "24h",
            description = "How far back badmail, poison and quarantine are looked at: 90m, 24h, 7d, or a date (2026-12-01). Default: 24h.")
    String since;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Home home = options.home();
        Duration back;
        try {
            back = since(since, Instant.now());
        } catch (IllegalArgumentException e) {
            CommandOutput.error(err, "--since: " + e.getMessage());
            return 2;
        }
        MailrootConfig config;
        try {
            config = options.config(home);
        } catch (ConfigException e) {
            CommandOutput.error(err, e.getMessage());
            return 2;
        }
        CommandOutput.quietLogging(home);
        DoctorReport report = new Doctor(home, config, new AdminServerView(home), Clock.systemUTC()).run(back);
        if (json) {
            CommandOutput.report(out, report.jsonLines());
        } else {
            CommandOutput.report(out, report.text() + report.summary());
        }
        return report.failed() ? 1 : 0;
    }

    /** {@code 24h} (the configuration's durations) or a date (midnight, local time): how far back from {@code now}. */
    static Duration since(String text, Instant now) {
        try {
            Instant day = LocalDate.parse(text.strip()).atStartOfDay(ZoneId.systemDefault()).toInstant();
            return Duration.between(day, now).isNegative() ? Duration.ZERO : Duration.between(day, now);
        } catch (DateTimeParseException e) {
            return MailrootConfig.Outbound.duration(text);
        }
    }

}
